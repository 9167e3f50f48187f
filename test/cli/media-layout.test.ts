import { mlistLong, mlistRaw, mlistUser, mlistUserReport, tpconfigList, vmoprcmdDrives, vmqueryLong, vmqueryWideLine, VMQUERY_WIDE_HEADER } from '../../src/cli/reports/media.js';
import { DEFAULT_POOLS } from '../../src/master/nbemm/media-store.js';
import type { VolumeRecord } from '../../src/protocol/records.js';

const t = Math.floor(new Date(2026, 2, 12, 16, 29).getTime() / 1000);
const vol = (o: Partial<VolumeRecord> = {}): VolumeRecord => ({
  mediaId: 'A00001', barcode: 'A00001L5', density: 'hcart3', description: 'Added by Media Manager', pool: 2, previousPool: 0,
  robotType: 'TLD', robotNumber: 0, slot: 2, volumeGroup: '000_00000_TLD', created: t, assigned: 0, firstMount: 0, lastMount: 0,
  lastWritten: 0, lastRead: 0, expiration: 0, mounts: 0, status: 0, retentionLevel: 0, kbytes: 0, images: 0, validImages: 0, restores: 0, ...o,
});

describe('vmquery layouts', () => {
  it('pads long-form labels so values start at column 24', () => {
    const lines = vmqueryLong(vol(), DEFAULT_POOLS, 'master1').split('\n');
    expect(lines[0]).toBe('media ID:              A00001');
    expect(lines).toContain('media type:            1/2" cartridge tape 3 (24)');
    expect(lines).toContain('volume pool:           Scratch (2)');
    expect(lines).toContain('robot type:            TLD - Tape Library DLT (8)');
    expect(lines).toContain('robot slot:            2');
    expect(lines).toContain('assigned:              ---');
    expect(lines[lines.length - 1]).toBe('status:                0x0');
    for (const l of lines) expect(l.indexOf(l.split(/:\s+/)[1]!)).toBe(23);
  });
  it('prints 37 whitespace fields per volume in -w', () => {
    const f = vmqueryWideLine(vol(), DEFAULT_POOLS, 'master1').split(/\s+/);
    expect(f).toHaveLength(37 + 3); // description "Added by Media Manager" is 4 words
    expect(f.slice(0, 13)).toEqual(['A00001', '-', 'HCART3', 'A00001L5', '-', 'master1', 'TLD', '0', '2', '-', '000_00000_TLD', 'Scratch', '2']);
    expect(f[13]).toBe('None');
    expect(f[27]).toBe('0x0');
    expect(VMQUERY_WIDE_HEADER).toHaveLength(3);
  });
});

describe('bpmedialist layouts', () => {
  it('matches the -U sample of netbackup.md §1.6', () => {
    const v = vol({ mediaId: 'EMR162', retentionLevel: 9, images: 17, validImages: 17, assigned: t, lastWritten: Math.floor(new Date(2026, 2, 14, 15, 56).getTime() / 1000),
      kbytes: 9207800736, expiration: 0x7fffffff, status: 0x8 });
    expect(mlistUser(v)).toBe(
      'EMR162   9     17   03/12/2026 16:29  03/14/2026 15:56  hcart3  9207800736     0\n' +
      '               17   INFINITY              N/A         FULL\n' +
      '           0\n');
    const report = mlistUserReport('netbackup', [v]).split('\n');
    expect(report.slice(0, 3)).toEqual(['Server Host = netbackup', '', ' id     rl  images   allocated        last updated      density  kbytes restores']);
  });
  it('shows FROZEN and the raw status at field 14', () => {
    expect(mlistUser(vol({ status: 0x1 })).split('\n')[1]).toMatch(/FROZEN$/);
    const raw = mlistRaw(vol({ status: 0x3 })).split(' ');
    expect(raw[0]).toBe('A00001');
    expect(raw[3]).toBe('20');
    expect(raw[14]).toBe('0x3');
    expect(mlistLong(vol({ status: 0x1 }), DEFAULT_POOLS)).toContain('status = 0x1, FROZEN');
    expect(mlistLong(vol(), DEFAULT_POOLS).split('\n')[0]).toBe('media_id = A00001, partner_id = -, version = 50, density = hcart3 (20)');
  });
});

describe('tpconfig and vmoprcmd layouts', () => {
  const drives = [
    { index: 0, name: 'HCART3.000', type: 'hcart3', path: '/vtl/drive0', robotNumber: 0, robotType: 'TLD', robotDrive: 0, status: 'UP' as const },
    { index: 1, name: 'HCART3.001', type: 'hcart3', path: '/vtl/drive1', robotNumber: 0, robotType: 'TLD', robotDrive: 1, status: 'DOWN' as const },
  ];
  it('lists drives and robots', () => {
    const out = tpconfigList([{ number: 0, type: 'TLD', path: '/vtl', host: 'm' }], drives, 'm').split('\n');
    expect(out[3]).toBe('0   HCART3.000          hcart3 TLD(0)  DRIVE=0');
    expect(out[4]).toMatch(/^ {6}\/vtl\/drive0 +UP$/);
    expect(out[6]).toMatch(/DOWN$/);
    expect(out).toContain('  TLD(0)     robotic path = /vtl');
    expect(out).toContain('EMM Server = m');
  });
  it('shows DOWN drives and the loaded media', () => {
    const out = vmoprcmdDrives(drives, new Map([[0, 'A00003']])).split('\n');
    expect(out.find((l) => l.startsWith('  0 '))).toMatch(/^  0 hcart3 TLD +Yes +A00003/);
    expect(out.find((l) => l.startsWith('  1 '))).toMatch(/^  1 hcart3 DOWN-TLD +No +-/);
  });
});
