// nbrb: the resource broker; allocations wait until the limits allow them.

import { message } from './message.js';
import { arr, empty, int, obj, opt, str } from './schema.js';
import { storageUnit } from './records.js';

export const nbrb = {
  /** Answers when a storage unit is allocated to the job (possibly after waiting in the queue; `waited`: the last reason it waited). */
  allocate: message(
    'nbrb',
    'allocate',
    /** maxPolicyJobs: the policy's "Limit jobs per policy" (0 or absent = unlimited). */
    obj({ jobid: int, client: str, policy: str, priority: int, stunit: opt(str), kind: str, maxPolicyJobs: opt(int) }),
    obj({ unit: storageUnit, waited: opt(str) }),
  ),
  release: message('nbrb', 'release', obj({ jobid: int }), empty),
  /** Current allocations and waiting requests (for bpdbjobs' reasons and tests). */
  state: message('nbrb', 'state', empty, obj({ allocated: arr(obj({ jobid: int, stunit: str })), waiting: arr(obj({ jobid: int, reason: str })) })),
};
