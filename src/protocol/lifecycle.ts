// Messages every daemon answers: liveness and shutdown.

import { message, type DaemonName, type MessageSpec } from './message.js';
import { empty, int, obj, str } from './schema.js';

const pingReply = obj({ daemon: str, pid: int, started: int, version: int });

export function ping(daemon: DaemonName): MessageSpec<Record<string, never>, { daemon: string; pid: number; started: number; version: number }> {
  return message(daemon, 'ping', empty as never, pingReply);
}

export function terminate(daemon: DaemonName) {
  return message(daemon, 'terminate', empty, empty);
}
