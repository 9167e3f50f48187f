import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JobLog } from '../../../src/master/bpjobd/job-log.js';
import { newJobRecord } from '../../../src/master/nbjm/job-record.js';

describe('bpjobd job log', () => {
  it('replays the last record of each job and ignores a torn last line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obpjobs-'));
    try {
      const log = new JobLog(dir);
      const base = newJobRecord({ jobtype: 0, policy: 'p', schedule: 's', client: 'c', requester: { uid: 0, gid: 0, user: 'root', host: 'h' }, priority: 0, retentionLevel: 1, subtype: 2, fileList: ['/x'], policyType: 0 });
      log.append({ ...base, jobid: 1 });
      log.append({ ...base, jobid: 2 });
      log.append({ ...base, jobid: 1, state: 3, status: 0 });
      log.close();
      fs.appendFileSync(path.join(dir, 'jobs.log'), '{"jobid":3,"jobty');
      const replayed = new JobLog(dir).replay();
      expect([...replayed.keys()].sort()).toEqual([1, 2]);
      expect(replayed.get(1)!.state).toBe(3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
