// Whether a scheduled backup whose try failed gets another try, and when (tries and delay come from nbpem).

import { formatNbDateTime } from '../../cli/dates.js';

/** Statuses that end a job without another try: success, partial success, administrator's stop, window closed. */
const FINAL: ReadonlySet<number> = new Set([0, 1, 150, 196]);

export function isRetryable(status: number): boolean {
  return !FINAL.has(status);
}

export interface TryPlan {
  /** Tries the job may make in all (1 = no retry). */
  tries: number;
  delaySeconds: number;
  /** The job's window closes then: no try starts after it. */
  startBy?: number;
}

export type NextTry = { again: true; at: number } | { again: false; why?: string };

/**
 * After try `tryNumber` ended with `status` at `now`: another try `delaySeconds` later when the status
 * is a failure worth retrying, tries are left, and the window is still open then.
 */
export function nextTry(plan: TryPlan, tryNumber: number, status: number, now: number): NextTry {
  if (!isRetryable(status)) return { again: false };
  if (tryNumber >= plan.tries) return plan.tries > 1 ? { again: false, why: `no more tries (${plan.tries} allowed in the schedule backup attempts period)` } : { again: false };
  const at = now + plan.delaySeconds;
  if (plan.startBy !== undefined && at >= plan.startBy) return { again: false, why: `no retry: the backup window closes at ${formatNbDateTime(plan.startBy)}` };
  return { again: true, at };
}
