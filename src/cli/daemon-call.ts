// How commands reach the daemons: a call on the owning daemon's socket, starting the daemons when none run.

import type { Home } from '../config/home.js';
import { socketPath } from '../config/home.js';
import { callOnce, RpcConnection, type CallOptions } from '../ipc/rpc-client.js';
import type { MessageSpec } from '../protocol/message.js';
import { OpenbpError } from '../protocol/errors.js';
import { ensureDaemons } from './ensure-daemons.js';

/** Calls spec on its daemon; when the daemon cannot be reached, starts the daemon set and tries once more. */
export async function callDaemon<Req, Res>(home: Home, spec: MessageSpec<Req, Res>, body: Req, opts: CallOptions = {}): Promise<Res> {
  try {
    return await callOnce(socketPath(home, spec.daemon), spec.daemon, spec, body, opts);
  } catch (e) {
    if (!(e instanceof OpenbpError) || e.code !== 'CANNOT_CONNECT') throw e;
  }
  await ensureDaemons(home);
  return callOnce(socketPath(home, spec.daemon), spec.daemon, spec, body, opts);
}

/** A persistent connection to one daemon (started if needed). */
export async function connectDaemon(home: Home, daemon: MessageSpec<unknown, unknown>['daemon']): Promise<RpcConnection> {
  try {
    return await RpcConnection.connect(socketPath(home, daemon), daemon);
  } catch (e) {
    if (!(e instanceof OpenbpError) || e.code !== 'CANNOT_CONNECT') throw e;
  }
  await ensureDaemons(home);
  return RpcConnection.connect(socketPath(home, daemon), daemon);
}
