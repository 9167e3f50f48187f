// How a command reaches the master: its owner (root for a system-wide home) talks to every daemon and
// starts them when none run; any other user goes through bprd's user-request socket only, never starts
// a daemon, and is told in one line when the master is not there.

import fs from 'node:fs';
import { systemHomeRoot, userRequestSocketPath, type Home } from '../config/home.js';
import { RpcConnection, type CallOptions } from '../ipc/rpc-client.js';
import type { MessageSpec } from '../protocol/message.js';
import { OpenbpError } from '../protocol/errors.js';

const owners = new Map<string, boolean>();

/**
 * True for root, and for the user who owns the home or will create it (it does not exist yet and is not
 * the system-wide home of /etc/openbp.conf, which only root creates).
 */
export function ownsMaster(home: Home): boolean {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return true;
  const known = owners.get(home.root);
  if (known !== undefined) return known;
  let st: fs.Stats;
  try {
    st = fs.statSync(home.root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return home.root !== systemHomeRoot();
    throw new OpenbpError('CLIENT_NOT_VALIDATED', `cannot reach the openbp master at ${home.root} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  owners.set(home.root, st.uid === uid);
  return st.uid === uid;
}

/** The refusal for a user who asks a daemon other than bprd of a master they do not own. */
export function notForUsers(home: Home, daemon: string): OpenbpError {
  return new OpenbpError(
    'CLIENT_NOT_VALIDATED',
    `only root may ask ${daemon} of the openbp master at ${home.root}; other users may run bpbackup, bprestore and bplist`,
  );
}

/** Starting or stopping the daemons is the owner's (131 for anyone else, in one line). */
export function requireOwner(home: Home, what: string): void {
  if (!ownsMaster(home)) throw new OpenbpError('CLIENT_NOT_VALIDATED', `only root may ${what} of the openbp master at ${home.root}`);
}

/** Connects to bprd's user-request socket; a master that is not running or takes no users' requests is one clear error. */
export async function connectAsUser(home: Home): Promise<RpcConnection> {
  const sock = userRequestSocketPath(home);
  try {
    return await RpcConnection.connect(sock, 'bprd');
  } catch (e) {
    const cause = e instanceof OpenbpError ? (e.cause as NodeJS.ErrnoException | undefined) : undefined;
    const code = cause?.code ?? (e as Error).message;
    const why = code === 'ENOENT' || code === 'ECONNREFUSED' ? 'is not running' : 'does not take requests from other users';
    throw new OpenbpError('CANNOT_CONNECT', `the openbp master at ${home.root} ${why} (${sock}: ${code}); root starts it with bp.start_all`, { cause: e });
  }
}

/** One request through bprd's user-request socket. */
export async function callAsUser<Req, Res>(home: Home, spec: MessageSpec<Req, Res>, body: Req, opts: CallOptions = {}): Promise<Res> {
  if (spec.daemon !== 'bprd') throw notForUsers(home, spec.daemon);
  const conn = await connectAsUser(home);
  try {
    return await conn.request(spec, body, opts);
  } finally {
    conn.close();
  }
}
