// bprd's rules for requests from users other than root and the master's owner (NetBackup's user-directed
// backups and restores): their own client only, no redirection to another client, only what they owned.

import os from 'node:os';
import type { PeerCredentials } from '../../native/sys.js';
import type { FileRecord, JobRecord, Requester } from '../../protocol/records.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { decodeRun } from '../../formats/listing-runs.js';
import { OpenbpError } from '../../protocol/errors.js';
import { bytePathToText } from '../../protocol/byte-path.js';
import { IdNames } from '../../archive/id-names.js';
import type { Home } from '../../config/home.js';
import { callDaemon } from '../../cli/daemon-call.js';

/** The requester the kernel vouches for (SO_PEERCRED); the user database is read afresh (users come and go). */
export function requesterOf(peer: PeerCredentials): Requester {
  const name = new IdNames().userName(peer.uid);
  return { uid: peer.uid, gid: peer.gid, user: name !== '' ? name : String(peer.uid), host: os.hostname().split('.')[0]! };
}

/** The user this daemon runs as: the master's owner. */
export function ownerOfThisProcess(): Requester {
  const u = os.userInfo();
  return { uid: u.uid, gid: u.gid, user: u.username, host: os.hostname().split('.')[0]! };
}

/** Root and the master's owner may do anything; anyone else is held to the user-directed rules. */
export function isAdministrator(r: Requester): boolean {
  return r.uid === 0 || r.uid === process.getuid?.();
}

function refuse(message: string): never {
  throw new OpenbpError('NOT_VALIDATED_FOR_OPERATION', message);
}

/** A user backs up this client only (their files are read with their rights by bpbkar). */
export function checkUserBackup(req: { client?: string }, user: Requester, local: string): void {
  if (req.client !== undefined && req.client !== local) refuse(`${user.user} may back up only this client (${local}), not ${req.client}`);
}

/** A user restores this client's backups to this client: -C and -D naming another client are root's (-R is allowed). */
export function checkUserRestore(req: { client?: string; destClient?: string }, user: Requester, local: string): void {
  if (req.client !== undefined && req.client !== local) refuse(`${user.user} may restore only backups of this client (${local}), not of ${req.client} (-C is root's)`);
  if (req.destClient !== undefined && req.destClient !== local) refuse(`${user.user} may not redirect a restore to ${req.destClient} (-D is root's)`);
}

/** What the user may see or restore: entries recorded as owned by their uid when they were backed up. */
export function ownedBy<T extends { file: FileRecord }>(entries: readonly T[], user: Requester): T[] {
  return entries.filter((e) => e.file.uid === user.uid);
}

/**
 * Splits the requested paths by who owned them in the image a restore would read (the newest inside
 * [since, until]). Paths in no backup are left to the restore's own "not found".
 */
export async function splitByOwner(
  home: Home,
  user: Requester,
  q: { client: string; paths: readonly string[]; since?: number; until?: number },
): Promise<{ allowed: string[]; denied: string[] }> {
  const allowed: string[] = [];
  const denied: string[] = [];
  for (const path of q.paths) {
    let files: { file: FileRecord }[];
    try {
      const { runs } = await callDaemon(home, bpdbm.listFiles, {
        client: q.client, path, depth: 0, ...(q.since !== undefined ? { since: q.since } : {}), ...(q.until !== undefined ? { until: q.until } : {}),
      });
      files = runs.flatMap((r) => decodeRun(r).map((file) => ({ file })));
    } catch (e) {
      if (e instanceof OpenbpError && e.status === 227) {
        allowed.push(path);
        continue;
      }
      throw e;
    }
    (files.length > 0 && ownedBy(files, user).length === 0 ? denied : allowed).push(path);
  }
  if (allowed.length === 0 && denied.length > 0) {
    refuse(`${bytePathToText(denied[0]!)} was not owned by ${user.user} when it was backed up; only root may restore it`);
  }
  return { allowed, denied };
}

/** A user waits for and lists only their own jobs. */
export function checkJobOwner(job: JobRecord, user: Requester): JobRecord {
  if (job.owner !== user.user) refuse(`job ${job.jobid} belongs to ${job.owner}, not to ${user.user}`);
  return job;
}
