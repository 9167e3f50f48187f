// bpjobd: the jobs database behind bpdbjobs.

import { message } from './message.js';
import { arr, bool, empty, int, obj, opt, str } from './schema.js';
import { jobRecord, jobTapeResources, tryRecord } from './records.js';

const jobPatch = obj({
  state: opt(int),
  status: opt(int),
  server: opt(str),
  started: opt(int),
  ended: opt(int),
  stunit: opt(str),
  operation: opt(int),
  kbytes: opt(int),
  files: opt(int),
  pathLastWritten: opt(str),
  percent: opt(int),
  jobpid: opt(int),
  backupid: opt(str),
  stateDetail: opt(str),
  fileList: opt(arr(str)),
  tape: opt(jobTapeResources),
});

export const bpjobd = {
  /** Creates a job; bpjobd assigns the next job id. */
  create: message('bpjobd', 'create', jobRecord, obj({ jobid: int })),
  /** Updates a job's fields; `tryLines` are appended to the current try's status lines. */
  update: message(
    'bpjobd',
    'update',
    obj({ jobid: int, patch: jobPatch, newTry: opt(tryRecord), tryLines: opt(arr(str)), tryPatch: opt(obj({ status: opt(int), ended: opt(int), kbytes: opt(int), files: opt(int), stunit: opt(str), server: opt(str), pid: opt(int) })) }),
    empty,
  ),
  get: message('bpjobd', 'get', obj({ jobid: int }), jobRecord),
  list: message('bpjobd', 'list', obj({ jobids: opt(arr(int)), activeOnly: opt(bool) }), obj({ jobs: arr(jobRecord) })),
  /** Answers when the job is done (state 3), with the final record. */
  wait: message('bpjobd', 'wait', obj({ jobid: int }), jobRecord),
};
