// bprd's behaviour: validates user backup and restore requests and hands them on. Its own socket serves
// the master's owner; the user-request socket serves everyone else under user-rules.ts.

import { route, type RequestContext } from '../../ipc/rpc-server.js';
import { bprd } from '../../protocol/bprd.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { nbpem } from '../../protocol/nbpem.js';
import { nbjm } from '../../protocol/nbjm.js';
import { OpenbpError } from '../../protocol/errors.js';
import { bpjobd } from '../../protocol/bpjobd.js';
import type { RequestOf } from '../../protocol/message.js';
import type { PolicyRecord, Requester, ScheduleRecord } from '../../protocol/records.js';
import type { Home } from '../../config/home.js';
import { clientName, readBpConf } from '../../config/bp-conf.js';
import type { LogLine } from '../../config/daemon-log.js';
import type { DaemonService } from '../../cli/serve-daemon.js';
import { callDaemon, connectDaemon } from '../../cli/daemon-call.js';
import type { RpcConnection } from '../../ipc/rpc-client.js';
import { decodeRun, encodeRun } from '../../formats/listing-runs.js';
import { backupJobFor } from '../../protocol/backup-job.js';
import { writeNeededImage } from './needed-image-file.js';
import { startRestoreChild } from './restore-child.js';
import { selectionPaths } from '../../protocol/backup-streams.js';
import { checkJobOwner, checkUserBackup, checkUserRestore, isAdministrator, ownedBy, ownerOfThisProcess, requesterOf, splitByOwner } from './user-rules.js';

export const DEFAULT_POLICY = 'openbp-default';

function checkPaths(paths: readonly string[]): void {
  if (paths.length === 0) throw new OpenbpError('NO_FILES_SPECIFIED');
  for (const p of paths) {
    if (!p.startsWith('/')) throw new OpenbpError('INVALID_FILELIST', `path is not absolute: ${Buffer.from(p, 'latin1').toString('utf8')}`);
    if (p.split('/').includes('..')) throw new OpenbpError('INVALID_FILELIST', `path contains '..': ${Buffer.from(p, 'latin1').toString('utf8')}`);
  }
}

function userSchedule(policy: PolicyRecord, name: string | undefined): ScheduleRecord {
  if (name !== undefined) {
    const s = policy.schedules.find((x) => x.name === name);
    if (!s) throw new OpenbpError('NO_SUCH_SCHEDULE', `schedule ${name} does not exist in policy ${policy.name}`);
    if (s.type !== 'UBAK' && s.type !== 'UARC') throw new OpenbpError('NO_SCHEDULE_OF_TYPE', `schedule ${name} of policy ${policy.name} is not a user backup schedule`);
    return s;
  }
  const s = policy.schedules.find((x) => x.type === 'UBAK');
  if (!s) throw new OpenbpError('NO_SCHEDULE_OF_TYPE', `policy ${policy.name} has no user backup schedule`);
  return s;
}

export function createBprd(home: Home, log: LogLine): DaemonService {
  const local = () => clientName(readBpConf(home));
  /** Whoever reaches bprd's own socket (mode 0600) is the master's owner. */
  const owner = ownerOfThisProcess();

  async function backup(req: RequestOf<typeof bprd.backup>, requester: Requester) {
    if (!isAdministrator(requester)) checkUserBackup(req, requester, local());
    const client = req.client ?? local();
    checkPaths(req.paths);
    const policy = await callDaemon(home, bpdbm.getPolicy, { name: req.policy ?? DEFAULT_POLICY });
    if (!policy.active) throw new OpenbpError('POLICY_NOT_ACTIVE', `policy ${policy.name} is not active`);
    if (!policy.clients.some(([c]) => c === client)) throw new OpenbpError('CLIENT_NOT_IN_POLICY', `client ${client} is not in policy ${policy.name}`);
    const sched = userSchedule(policy, req.schedule);
    const r = await callDaemon(home, nbpem.submitBackup, { ...backupJobFor(policy, sched, client, req.paths, requester, 2), keyword: req.keyword ?? '' });
    log(`user backup by ${requester.user} (uid ${requester.uid}) of ${client}: job ${r.jobid}`);
    return r;
  }

  async function manualBackup(req: RequestOf<typeof bprd.manualBackup>, requester: Requester) {
    if (!isAdministrator(requester)) throw new OpenbpError('NOT_VALIDATED_FOR_OPERATION', `only root may start a policy's backup (bpbackup -i), not ${requester.user}`);
    const policy = await callDaemon(home, bpdbm.getPolicy, { name: req.policy });
    if (!policy.active) throw new OpenbpError('POLICY_NOT_ACTIVE', `policy ${policy.name} is not active`);
    const sched = req.schedule === undefined ? policy.schedules.find((x) => x.type === 'FULL') ?? policy.schedules[0] : policy.schedules.find((x) => x.name === req.schedule);
    if (!sched) throw new OpenbpError('NO_SUCH_SCHEDULE', `schedule ${req.schedule ?? '(any)'} does not exist in policy ${policy.name}`);
    const clients = policy.clients.map(([c]) => c).filter((c) => req.client === undefined || c === req.client);
    if (clients.length === 0) throw new OpenbpError('CLIENT_NOT_IN_POLICY', `client ${req.client ?? '(any)'} is not in policy ${policy.name}`);
    checkPaths(selectionPaths(policy.include));
    const jobids: number[] = [];
    for (const client of clients) {
      const r = await callDaemon(home, nbpem.submitBackup, backupJobFor(policy, sched, client, policy.include, requester, 0));
      jobids.push(r.jobid);
    }
    log(`immediate backup by ${requester.user} of policy ${policy.name} schedule ${sched.name}: jobs ${jobids.join(',')}`);
    return { jobids };
  }

  async function restore(req: RequestOf<typeof bprd.restore>, requester: Requester) {
    const here = local();
    const admin = isAdministrator(requester);
    if (!admin) checkUserRestore(req, requester, here);
    const client = req.client ?? here;
    const destClient = req.destClient ?? client;
    checkPaths(req.paths);
    // nbtar runs on this host; other destination hosts need the SSH transport, which is not there yet.
    if (destClient !== here) {
      throw new OpenbpError('CANNOT_CONNECT_TO_CLIENT', `cannot reach client ${destClient}: only this host (${here}) can be a restore destination`, { hint: 'use -D ' + here });
    }
    const window = { ...(req.since !== undefined ? { since: req.since } : {}), ...(req.until !== undefined ? { until: req.until } : {}) };
    const { allowed, denied } = admin ? { allowed: req.paths, denied: [] as string[] } : await splitByOwner(home, requester, { client, paths: req.paths, ...window });
    const { plans, missing, ordered } = await callDaemon(home, bpdbm.resolveRestore, { client, paths: allowed, ...window });
    if (plans.length === 0) throw new OpenbpError('NO_ENTITY', `no backup of ${client} holds the requested files`);
    const submit = {
      jobs: plans.map((p) => ({
        ...writeNeededImage(home, p.image, { start: p.rangeStart ?? 0, end: p.rangeEnd ?? -1 }),
        client, destClient, backupid: p.image.backupid, paths: p.paths, renames: req.renames, keepExisting: req.keepExisting,
        requester, priority: 90000,
        ...(p.rangeStart !== undefined ? { rangeStart: p.rangeStart } : {}),
        ...(p.rangeEnd !== undefined ? { rangeEnd: p.rangeEnd } : {}),
      })),
      ...(ordered ? { sequential: true } : {}),
    };
    // A restore that reads tape runs in a bprd child of its own (it owns the neededimage files until the jobs end).
    const { jobids } = submit.jobs.some((j) => j.neededImage !== undefined)
      ? await startRestoreChild(home, submit, log)
      : await callDaemon(home, nbjm.submitRestore, submit);
    log(`restore by ${requester.user} (uid ${requester.uid}) for ${destClient}: jobs ${jobids.join(',')}${denied.length ? `; ${denied.length} path(s) refused` : ''}`);
    return { jobids, missing, ...(denied.length ? { denied } : {}) };
  }

  /** One bpdbm connection per asking connection: a paged listing lives on it until the asker goes away. */
  const listingConnections = new WeakMap<RequestContext, Promise<RpcConnection>>();
  const bpdbmFor = (ctx: RequestContext): Promise<RpcConnection> => {
    let c = listingConnections.get(ctx);
    if (!c) {
      c = connectDaemon(home, 'bpdbm');
      listingConnections.set(ctx, c);
      const opened = c;
      void ctx.closed.then(async () => (await opened.catch(() => undefined))?.close());
      opened.catch(() => listingConnections.delete(ctx));
    }
    return c;
  };

  /**
   * bplist: client '' is this client. Pages come from bpdbm on a connection kept for the asker; a user
   * who is not an administrator gets only the entries they owned, pages read on until one holds some
   * (227 when none does).
   */
  async function listFiles(req: RequestOf<typeof bprd.listFiles>, requester: Requester, ctx: RequestContext) {
    const here = local();
    const q = { ...req, client: req.client === '' ? here : req.client };
    const conn = await bpdbmFor(ctx);
    if (isAdministrator(requester)) return conn.request(bpdbm.listFiles, q);
    checkUserRestore({ client: q.client }, requester, here);
    for (let cursor = q.cursor; ; ) {
      const page = await conn.request(bpdbm.listFiles, { ...q, ...(cursor !== undefined ? { cursor } : {}) });
      const runs = page.runs
        .map((r) => encodeRun(r.backupid, r.backupTime, ownedBy(decodeRun(r).map((file) => ({ file })), requester).map((e) => e.file)))
        .filter((r) => r.count > 0);
      if (runs.length > 0 || q.cursor !== undefined || page.next === undefined) {
        if (runs.length === 0 && q.cursor === undefined) {
          throw new OpenbpError('NO_ENTITY', `no entity was found: ${req.path} holds nothing of ${requester.user} in the backups of ${req.client}`);
        }
        return { runs, ...(page.next !== undefined ? { next: page.next } : {}) };
      }
      cursor = page.next;
    }
  }

  async function waitJob(req: RequestOf<typeof bprd.waitJob>, requester: Requester) {
    if (!isAdministrator(requester)) checkJobOwner(await callDaemon(home, bpjobd.get, req), requester);
    return callDaemon(home, bpjobd.wait, req);
  }

  async function listJobs(req: RequestOf<typeof bprd.listJobs>, requester: Requester) {
    const { jobs } = await callDaemon(home, bpjobd.list, { jobids: req.jobids });
    return { jobs: isAdministrator(requester) ? jobs : jobs.filter((j) => j.owner === requester.user) };
  }

  /** On the user-request socket the requester is the connected process's user, whatever the body says. */
  const peer = (ctx: RequestContext): Requester => {
    if (!ctx.peer) throw new OpenbpError('CLIENT_NOT_VALIDATED', 'cannot tell who is asking');
    return requesterOf(ctx.peer);
  };

  return {
    routes: [
      route(bprd.backup, (req) => backup(req, req.requester)),
      route(bprd.manualBackup, (req) => manualBackup(req, req.requester)),
      route(bprd.restore, (req) => restore(req, req.requester)),
      route(bprd.listFiles, (req, ctx) => listFiles(req, owner, ctx)),
      route(bprd.waitJob, (req) => waitJob(req, owner)),
      route(bprd.listJobs, (req) => listJobs(req, owner)),
    ],
    userRoutes: [
      route(bprd.backup, (req, ctx) => backup(req, peer(ctx))),
      route(bprd.manualBackup, (req, ctx) => manualBackup(req, peer(ctx))),
      route(bprd.restore, (req, ctx) => restore(req, peer(ctx))),
      route(bprd.listFiles, (req, ctx) => listFiles(req, peer(ctx), ctx)),
      route(bprd.waitJob, (req, ctx) => waitJob(req, peer(ctx))),
      route(bprd.listJobs, (req, ctx) => listJobs(req, peer(ctx))),
    ],
    close: async () => {},
  };
}
