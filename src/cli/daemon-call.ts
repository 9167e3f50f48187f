// How commands reach the daemons: a call on the owning daemon's socket, starting the daemons when none run.
// A user who does not own the master goes through bprd's user-request socket instead (master-access.ts).

import type { Home } from '../config/home.js';
import { socketPath } from '../config/home.js';
import { callOnce, RpcConnection, type CallOptions } from '../ipc/rpc-client.js';
import type { MessageSpec } from '../protocol/message.js';
import { OpenbpError } from '../protocol/errors.js';
import { callAsUser, connectAsUser, notForUsers, ownsMaster } from './master-access.js';

/** Starting the daemon set is rare: its modules load only then (every command and job process starts here). */
async function startDaemons(home: Home): Promise<void> {
  const { ensureDaemons } = await import('./ensure-daemons.js');
  await ensureDaemons(home);
}

/** Calls spec on its daemon; when the daemon cannot be reached, starts the daemon set and tries once more. */
export async function callDaemon<Req, Res>(home: Home, spec: MessageSpec<Req, Res>, body: Req, opts: CallOptions = {}): Promise<Res> {
  if (!ownsMaster(home)) return callAsUser(home, spec, body, opts);
  try {
    return await callOnce(socketPath(home, spec.daemon), spec.daemon, spec, body, opts);
  } catch (e) {
    if (!(e instanceof OpenbpError) || e.code !== 'CANNOT_CONNECT') throw e;
  }
  await startDaemons(home);
  return callOnce(socketPath(home, spec.daemon), spec.daemon, spec, body, opts);
}

/** A persistent connection to one daemon (started if needed). */
export async function connectDaemon(home: Home, daemon: MessageSpec<unknown, unknown>['daemon']): Promise<RpcConnection> {
  if (!ownsMaster(home)) {
    if (daemon !== 'bprd') throw notForUsers(home, daemon);
    return connectAsUser(home);
  }
  try {
    return await RpcConnection.connect(socketPath(home, daemon), daemon);
  } catch (e) {
    if (!(e instanceof OpenbpError) || e.code !== 'CANNOT_CONNECT') throw e;
  }
  await startDaemons(home);
  return RpcConnection.connect(socketPath(home, daemon), daemon);
}
