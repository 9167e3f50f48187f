import { csvField, formatJobsCsv, formatJobsReport, formatSummary, formatSummaryCsv, summarize } from '../../../src/cli/reports/bpdbjobs.js';
import type { JobRecord } from '../../../src/protocol/records.js';

function job(jobid: number, over: Partial<JobRecord> = {}): JobRecord {
  return {
    jobid, jobtype: 0, state: 3, status: 0, policy: 'openbp-default', schedule: 'default-user', client: 'host1', server: 'master',
    started: 1_700_000_000, ended: 1_700_000_060, stunit: 'openbp-default-disk', operation: 0, kbytes: 6000, files: 12,
    pathLastWritten: '/home/a,b', percent: 100, jobpid: 4321, owner: 'root', group: 'root', subtype: 2, policyType: 0, schedType: 2,
    priority: 0, retentionLevel: 1, retentionPeriodDays: 14, compression: 0, fileList: ['/home', '/etc'],
    tries: [{ pid: 4321, stunit: 'openbp-default-disk', server: 'master', started: 1_700_000_001, ended: 1_700_000_060, status: 0,
      statusLines: ['11/14/2023 22:13:21 - begin writing', '11/14/2023 22:14:20 - end writing'], kbytes: 6000, files: 12 }],
    backupid: 'host1_1700000001', parentJob: 0, stateDetail: '', ...over,
  };
}

const jobs = [
  job(12, { state: 1, status: undefined, ended: 0, tries: [], fileList: [], backupid: '', jobpid: 999 }),
  job(11, { status: 1 }),
  job(10, { jobtype: 2, status: 227, policy: '', schedule: '' }),
  job(9, { state: 0, status: undefined, ended: 0, started: 0, tries: [] }),
];

describe('bpdbjobs report', () => {
  it('prints the default report with right-aligned columns under NetBackup\'s header', () => {
    expect(formatJobsReport(jobs, { header: true })).toBe(
      [
        'JobID    Type  State Status         Policy     Schedule Client Dest Media Svr Active PID',
        '   12  Backup Active        openbp-default default-user  host1         master        999',
        '   11  Backup   Done      1 openbp-default default-user  host1         master',
        '   10 Restore   Done    227                              host1         master',
        '    9  Backup Queued        openbp-default default-user  host1         master',
        '',
      ].join('\n'),
    );
    expect(formatJobsReport(jobs.slice(1, 2), { header: false })).toBe('   11 Backup  Done      1 openbp-default default-user  host1         master\n');
  });

  it('prints -all_columns with the file list, try records and the later fields', () => {
    const line = formatJobsCsv([jobs[1]!], 'all', 'master', 1_700_000_100).trimEnd();
    const f = line.split(/(?<!\\),/);
    expect(f.slice(0, 16)).toEqual(['11', '0', '3', '1', 'openbp-default', 'default-user', 'host1', 'master', '1700000000', '60', '1700000060', 'openbp-default-disk', '1', '0', '6000', '12']);
    expect(f[16]).toBe('/home/a\\,b');
    expect(f.slice(17, 31)).toEqual(['100', '4321', 'root', '2', '0', '2', '0', 'root', 'master', '1', '14', '0', '6000', '12']);
    expect(f.slice(31, 34)).toEqual(['2', '/home', '/etc']);
    expect(f.slice(34, 49)).toEqual([
      '1', '4321', 'openbp-default-disk', 'master', '1700000001', '59', '1700000060', '0', 'the requested operation was successfully completed',
      '2', '11/14/2023 22:13:21 - begin writing', '11/14/2023 22:14:20 - end writing', '6000', '12', '0',
    ]);
    expect(f.slice(48)).toEqual(['0', '100', '', '', '', '', '', '', '', '', '', '', '0', '0', '0', '0', '0', '0', 'host1_1700000001', '0', '']);
  });

  it('prints -most_columns with trycount at index 32 and parentjob at 33 (centreon)', () => {
    const f = formatJobsCsv([job(5, { parentJob: 4 })], 'most', 'master', 0).trimEnd().split(/(?<!\\),/);
    expect(f[31]).toBe('2');
    expect(f[32]).toBe('1');
    expect(f[33]).toBe('4');
    expect(f).toHaveLength(31 + 2 + 21);
  });

  it('shows running jobs with an empty status and elapsed so far', () => {
    const f = formatJobsCsv([jobs[0]!], 'most', 'master', 1_700_000_100).trimEnd().split(/(?<!\\),/);
    expect(f[3]).toBe('');
    expect(f[9]).toBe('100');
    expect(f[10]).toBe('0');
  });

  it('summarises', () => {
    const s = summarize(jobs);
    expect(formatSummary(s, 'master')).toBe(
      [
        'Summary of jobs on master',
        'Queued:               1',
        'Waiting-to-Retry:     0',
        'Active:               1',
        'Successful:           0',
        'Partially Successful: 1',
        'Failed:               1',
        'Incomplete:           0',
        'Suspended:            0',
        'Total:                4',
        '',
      ].join('\n'),
    );
    expect(formatSummaryCsv(s, 'master')).toBe('master,1,0,1,0,1,1,0,0,0,4\n');
  });

  it('escapes commas as \\,', () => {
    expect(csvField('a,b')).toBe('a\\,b');
    expect(csvField(undefined)).toBe('');
  });
});
