import { clientsTable, frequencyText, policyHuman, policyLong, policyRaw, scheduleRaw } from '../../src/cli/reports/policies.js';
import { mergeWindows, parseWindows } from '../../src/cli/policy-windows.js';
import { retentionLevelLines } from '../../src/cmd/bpretlevel.js';
import { newPolicy } from '../../src/cli/policy-edit.js';
import { formatNbDateTime } from '../../src/cli/dates.js';
import type { PolicyRecord } from '../../src/protocol/records.js';

const created = 1685707987;

describe('bppllist -U', () => {
  it('prints a fresh policy as NetBackup does (NB4D block)', () => {
    const p = { ...newPolicy('airbusseclab_backup_policy', created), residence: 'airbusseclab_stu' };
    expect(policyHuman(p)).toBe(`------------------------------------------------------------

Policy Name:       airbusseclab_backup_policy

  Policy Type:         Standard
  Active:              yes
  Effective date:      ${formatNbDateTime(created)}
  Client Compress:     no
  Follow NFS Mounts:   no
  Cross Mount Points:  no
  Collect TIR info:    no
  Block Incremental:   no
  Mult. Data Streams:  no
  Client Encrypt:      no
  Checkpoint:          no
  Policy Priority:     0
  Max Jobs/Policy:     Unlimited
  Disaster Recovery:   0
  Collect BMR info:    no
  Residence:           airbusseclab_stu
  Volume Pool:         NetBackup
  Server Group:        *ANY*
  Keyword:             (none specified)
  Data Classification:       -
  Residence is Storage Lifecycle Policy:    no
  Application Discovery:      no
  Discovery Lifetime:      0 seconds
  ASC Application and attributes: (none defined)

  Granular Restore Info:  no
  Ignore Client Direct:  no
  Use Accelerator:  no

  Clients:\t(none defined)

  Include:\t(none defined)

  Schedule:\t(none defined)
`);
  });

  it('prints clients, selections and schedules with their windows', () => {
    const p: PolicyRecord = {
      ...newPolicy('p', created),
      clients: [['nb-client-a-1', ['Linux', 'Centos']], ['b', ['Linux', 'Debian']]],
      include: ['/etc/shadow', '/home'],
      schedules: [{ name: 'Full', type: 'FULL', retentionLevel: 1, frequencySeconds: 604800, windows: [{ day: 0, start: 64800, duration: 43200 }] }],
    };
    const tail = policyHuman(p).split('\n').slice(33);
    expect(tail).toEqual([
      '  HW/OS/Client:  Linux         Centos        nb-client-a-1',
      '                 Linux         Debian        b',
      '',
      '  Include:  /etc/shadow',
      '            /home',
      '',
      '  Schedule:              Full',
      '    Type:                Full Backup',
      '    Frequency:           every 7 days',
      '    Maximum MPX:         1',
      '    Synthetic:           0',
      '    Checksum Change Detection: 0',
      '    PFI Recovery:        0',
      '    Retention Level:     1 (2 weeks)',
      '    Number Copies:       1',
      '    Fail on Error:       0',
      '    Residence:           (specific storage unit not required)',
      '    Volume Pool:         (same as policy volume pool)',
      '    Server Group:        (same as specified for policy)',
      '    Residence is Storage Lifecycle Policy:         0',
      '    Daily Windows:',
      '          Sunday     18:00:00  -->  Monday     06:00:00',
      '',
    ]);
  });
});

describe('bppllist -l', () => {
  it('writes the raw records in TECH42917 order', () => {
    const p: PolicyRecord = {
      ...newPolicy('p', created), residence: 'stu1', keyword: 'kw', clients: [['c1', ['Linux', 'Debian']]], include: ['/etc'],
      schedules: [{ name: 'u', type: 'UBAK', retentionLevel: 3, frequencySeconds: 0, windows: [{ day: 6, start: 3600, duration: 7200 }] }],
    };
    const lines = policyRaw(p).trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['CLASS', 'NAMES', 'INFO', 'KEY', 'BCMD', 'RCMD', 'RES', 'POOL', 'FOE', 'CLIENT', 'INCLUDE', 'SCHED', 'SCHEDWIN', 'SCHEDRES', 'SCHEDPOOL', 'SCHEDRL', 'SCHEDFOE']);
    expect(lines[0]).toBe('CLASS p *NULL* 0 0 0 *NULL*');
    expect(lines[2]!.split(' ')).toHaveLength(30);
    expect(lines[2]!.split(' ')[19]).toBe(String(created));
    expect(lines[3]).toBe('KEY kw');
    expect(lines[6]!.split(' ').slice(0, 2)).toEqual(['RES', 'stu1']);
    expect(lines[9]).toBe('CLIENT c1 Linux Debian 0 0 0 0 ?');
    expect(lines[10]).toBe('INCLUDE /etc');
    expect(lines[11]!.split(' ').slice(0, 6)).toEqual(['SCHED', 'u', '2', '1', '0', '3']);
    expect(lines[12]).toBe('SCHEDWIN 0 0 0 0 0 0 0 0 0 0 0 0 3600 7200');
    expect(scheduleRaw(p.schedules[0]!)[4]).toBe('SCHEDRL 3 1 1 1 1 1 1 1 1 1');
  });
  it('marks an inactive policy and a limited job count in INFO', () => {
    const info = policyRaw({ ...newPolicy('p', created), active: false, maxJobs: 4, priority: 7 }).split('\n')[2]!.split(' ');
    expect([info[4], info[8], info[11]]).toEqual(['7', '4', '1']);
  });
});

describe('bppllist -L', () => {
  it('prints one attribute a line', () => {
    const out = policyLong({ ...newPolicy('p', created), schedules: [{ name: 'f', type: 'FULL', retentionLevel: 9, frequencySeconds: 86400 }] });
    expect(out).toContain('Policy Name:       p\nPolicy Type:       Standard (0)\n');
    expect(out).toContain('Schedule:          f\n  Type:            FULL (0)\n  Frequency:       every 1 day (86400 seconds)\n');
    expect(out).toContain('  Retention Level: 9 (infinity)\n');
  });
});

describe('bpplclients table', () => {
  it('puts the client name at column 45', () => {
    const out = clientsTable([['nb-client-a-1', ['Linux', 'Centos']]]).split('\n');
    expect(out[0]).toBe('Hardware         OS                         Client');
    expect(out[1]).toBe('---------------  -------------------------  --------------');
    expect(out[2]).toBe('Linux            Centos                     nb-client-a-1');
    expect(out[2]!.substring(44)).toBe('nb-client-a-1');
  });
});

describe('windows', () => {
  it('pairs -window values with the words that follow, every day or one day', () => {
    expect(parseWindows(['64800'], ['43200'])).toHaveLength(7);
    expect(parseWindows(['sunday', 'Mon'], ['0', '86400', '18:00', '12:00:00'])).toEqual([
      { day: 0, start: 0, duration: 86400 },
      { day: 1, start: 64800, duration: 43200 },
    ]);
  });
  it('refuses malformed windows with 20', () => {
    for (const [v, w] of [[['64800'], []], [['86400'], ['10']], [['x'], ['10']], [['10'], ['99:99']], [['0'], ['700000']], [['0'], ['1', '2']]] as const) {
      expect(() => parseWindows(v, w)).toThrow(expect.objectContaining({ status: 20 }));
    }
  });
  it('replaces days and removes closed ones', () => {
    const old = parseWindows(['0'], ['3600']);
    const merged = mergeWindows(old, parseWindows(['sat', 'sun'], ['100', '200', '0', '0']));
    expect(merged).toHaveLength(6);
    expect(merged[0]!.day).toBe(1);
    expect(merged[5]).toEqual({ day: 6, start: 100, duration: 200 });
  });
});

describe('misc', () => {
  it('names frequencies', () => {
    expect([frequencyText(604800), frequencyText(3600), frequencyText(600), frequencyText(61)]).toEqual(['every 7 days', 'every 1 hour', 'every 10 minutes', 'every 61 seconds']);
  });
  it('lists the 25 retention levels', () => {
    const lines = retentionLevelLines();
    expect(lines).toHaveLength(25);
    expect(lines[0]).toBe(' 0     604800 1 week');
    expect(lines[1]).toBe(' 1    1209600 2 weeks');
    expect(lines[8]).toBe(' 8   31536000 1 year');
    expect(lines[24]).toBe('24         -1 infinity');
  });
});
