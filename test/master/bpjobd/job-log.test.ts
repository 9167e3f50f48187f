import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JobLog } from '../../../src/master/bpjobd/job-log.js';
import { execFileSync } from 'node:child_process';
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

  it('an append that fails on a full filesystem leaves no torn record; later appends replay', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obpjobsfull-'));
    try {
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
      } catch {
        console.warn('skipped: needs root to mount a 64 KiB tmpfs');
        return;
      }
      try {
        const log = new JobLog(dir);
        const base = newJobRecord({ jobtype: 0, policy: 'p', schedule: 's', client: 'c', requester: { uid: 0, gid: 0, user: 'root', host: 'h' }, priority: 0, retentionLevel: 1, subtype: 2, fileList: ['/x'], policyType: 0 });
        log.append({ ...base, jobid: 1 });
        const filler = path.join(dir, 'filler');
        const s = fs.statfsSync(dir);
        fs.writeFileSync(filler, Buffer.alloc(s.bavail * s.bsize - 512));
        const size = fs.statSync(path.join(dir, 'jobs.log')).size;
        // A record larger than the room left: the write stops part-way and is cut back.
        expect(() => log.append({ ...base, jobid: 2, fileList: Array.from({ length: 200 }, (_, i) => `/a/rather/long/selection/${i}`) })).toThrow(/ENOSPC/);
        expect(fs.statSync(path.join(dir, 'jobs.log')).size).toBe(size);
        fs.rmSync(filler);
        log.append({ ...base, jobid: 3 });
        log.close();
        const again = new JobLog(dir);
        expect([...again.replay().keys()].sort()).toEqual([1, 3]);
        again.close();
      } finally {
        execFileSync('umount', [dir]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
