// nbrb: the resource broker; allocations wait until the limits allow them.

import { message } from './message.js';
import { arr, empty, int, obj, oneOf, opt, str } from './schema.js';
import { mountableVolume, storageUnit, tapeAssignment } from './records.js';

export const nbrb = {
  /**
   * Answers when a storage unit is allocated to the job (possibly after waiting in the queue; `waited`: the
   * last reason it waited). For a tape unit the answer carries a drive and (backup) a volume of `pool` with
   * `retentionLevel`, or (restore, verify) the volumes `media` names. Fails with 2001 when the robot has no
   * drive up, 96 when no volume fits.
   */
  allocate: message(
    'nbrb',
    'allocate',
    /**
     * maxPolicyJobs: the policy's "Limit jobs per policy" (0 or absent = unlimited). startBy: epoch
     * seconds when the job's window closes; still waiting then, the request fails with 196.
     */
    obj({
      jobid: int, client: str, policy: str, priority: int, stunit: opt(str), kind: str, maxPolicyJobs: opt(int),
      pool: opt(str), retentionLevel: opt(int), media: opt(arr(str)), startBy: opt(int),
    }),
    obj({ unit: storageUnit, waited: opt(str), tape: opt(tapeAssignment) }),
  ),
  release: message('nbrb', 'release', obj({ jobid: int }), empty),
  /**
   * A tape backup cannot go on with its volume: `full` (end of media: the volume is marked FULL),
   * `write-protected` or `unusable` (foreign or wrong media header: the volume is FROZEN). Answers with
   * the next volume for the job (same rules as allocate), or fails with 96.
   */
  nextVolume: message('nbrb', 'next-volume', obj({ jobid: int, mediaId: str, reason: oneOf('full', 'write-protected', 'unusable') }), obj({ volume: mountableVolume })),
  /** Current allocations and waiting requests (for bpdbjobs' reasons and tests). */
  state: message('nbrb', 'state', empty, obj({ allocated: arr(obj({ jobid: int, stunit: str })), waiting: arr(obj({ jobid: int, reason: str })) })),
};
