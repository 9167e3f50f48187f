// Whose rights a job's client process (bpbkar, nbtar) takes: a job asked by a user other than root and
// other than the master's owner is user-directed, and runs with that user's rights.

import type { Requester } from '../../protocol/records.js';

export function runAsFor(requester: Requester): { runAs: Requester } | Record<string, never> {
  return requester.uid !== 0 && requester.uid !== process.getuid?.() ? { runAs: requester } : {};
}
