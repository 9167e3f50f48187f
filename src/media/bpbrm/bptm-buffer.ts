// After bptm ends, its /dev/shm buffer file must be gone however it ended (both halves killed included).
// Only this job's bptm's file is touched: other homes on the machine have jobs with the same ids.

import path from 'node:path';
import { DEFAULT_SHM_DIR, removeShmFile, shmFileName } from '../bptm/shm-file.js';

export function removeBptmBuffer(jobid: number, bptmPid: number | undefined): void {
  if (bptmPid !== undefined) removeShmFile(path.join(DEFAULT_SHM_DIR, shmFileName(jobid, bptmPid)));
}
