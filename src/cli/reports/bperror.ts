// bperror -S: a status's message on the first line, its recommended action with -r.

import type { StatusEntry } from '../../protocol/status.js';

export const NO_ACTION = 'No recommended action is recorded for this status; see the job details (bpdbjobs -jobid N -all_columns) and the daemon logs.';

export function formatStatusMessage(entry: StatusEntry, recommended: boolean): string {
  const lines = [entry.message];
  if (recommended) lines.push(`Recommended Action: ${entry.action ?? NO_ACTION}`);
  return lines.join('\n') + '\n';
}
