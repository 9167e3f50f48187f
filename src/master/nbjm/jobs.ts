// nbjm's behaviour: accept jobs, get resources from nbrb, create the image, run bpbrm, close the job.

import fs from 'node:fs';
import path from 'node:path';
import { route } from '../../ipc/rpc-server.js';
import { nbjm } from '../../protocol/nbjm.js';
import { nbrb } from '../../protocol/nbrb.js';
import { nbemm } from '../../protocol/nbemm.js';
import { nbpem } from '../../protocol/nbpem.js';
import { bpjobd } from '../../protocol/bpjobd.js';
import { bpdbm, isBackupIdExists } from '../../protocol/bpdbm.js';
import { JOB_STATE, JOB_TYPE, SCHED_TYPES, type ImageRecord, type TapeAssignment, type StorageUnit } from '../../protocol/records.js';
import { OpenbpError, toOpenbpError } from '../../protocol/errors.js';
import { statusMessage } from '../../protocol/status.js';
import { formatNbDateTime } from '../../cli/dates.js';
import type { BpbrmSpec } from '../../protocol/job-specs.js';
import type { Infer } from '../../protocol/schema.js';
import type { ReplyOf, RequestOf } from '../../protocol/message.js';
import type { backupJobSpec, restoreJobSpec } from '../../protocol/nbjm.js';
import type { Home } from '../../config/home.js';
import { processLogFd, type LogLine } from '../../config/daemon-log.js';
import type { DaemonService } from '../../cli/serve-daemon.js';
import { callDaemon } from '../../cli/daemon-call.js';
import { dropSpare, dropSpares, hasSpare, homeEnv, keepSpare, spawnBinary, waitForExit } from '../../ipc/spawn.js';
import { confValue, readBpConf } from '../../config/bp-conf.js';
import { deleteDiskFragments, removeImageLeftovers } from '../../storage/disk/delete-fragments.js';
import { stopProcessGroup } from '../../ipc/process-group.js';
import { newJobRecord } from './job-record.js';
import { createRecovery } from './recovery.js';
import { runAsFor } from './run-as.js';
import { expirationFor } from '../../protocol/retention.js';
import { createVerifier } from './verify.js';
import { nextTry, type TryPlan } from './backup-tries.js';
import { tapeMediaOf, volumeWrites, type Granted } from './tape-media.js';
import { neededMedia, parseNeededImage } from '../../formats/needed-image.js';
import { createMultistream } from './multistream.js';
import { selectionPaths, splitStreams, streamOf } from '../../protocol/backup-streams.js';
import { nowSeconds } from '../../config/clock.js';

type BackupJob = Infer<typeof backupJobSpec>;
type RestoreJob = Infer<typeof restoreJobSpec>;

export interface Finished {
  status: number;
  kbytes: number;
  files: number;
  message?: string;
}

export function createNbjm(home: Home, log: LogLine): DaemonService {
  const jobsDir = path.join(home.run, 'jobs');
  fs.mkdirSync(jobsDir, { recursive: true, mode: 0o700 });
  const finishers = new Map<number, (f: Finished) => void>();
  /** Jobs this nbjm accepted and has not closed yet. */
  const accepted = new Set<number>();
  const lastCtime = new Map<string, number>();
  const recovery = createRecovery({
    home,
    log,
    isMine: (jobid) => accepted.has(jobid),
    finishOrphan: (jobid, f) => finishOrphan(jobid, f),
    abortImage: (jobid, backupid) => abortImage(jobid, backupid),
  });

  function nextBackupTime(client: string): number {
    const now = nowSeconds();
    const t = Math.max(now, (lastCtime.get(client) ?? 0) + 1);
    lastCtime.set(client, t);
    return t;
  }

  /**
   * Creates the image record under its client's next free backup id (client_seconds): jobs quicker than a
   * second take the seconds ahead, and a restarted nbjm, which no longer knows the last one it gave, skips
   * the ids the catalogue already has instead of failing the job with 133.
   */
  async function createImageRecord(client: string, imageAt: (backupTime: number, backupid: string) => ImageRecord): Promise<ImageRecord> {
    for (let tries = 1; ; tries++) {
      const backupTime = nextBackupTime(client);
      const image = imageAt(backupTime, `${client}_${backupTime}`);
      try {
        await callDaemon(home, bpdbm.createImage, image);
        return image;
      } catch (e) {
        if (tries >= 1000 || !isBackupIdExists(toOpenbpError(e))) throw e;
      }
    }
  }

  const update = (jobid: number, body: Omit<RequestOf<typeof bpjobd.update>, 'jobid'>) =>
    callDaemon(home, bpjobd.update, { jobid, ...body }).catch((e) => log(`job ${jobid}: bpjobd update failed: ${(e as Error).message}`));

  /**
   * Keeps a spare bpbrm (with spares of a backup's bptm and bpbkar: ipc/spare-process.ts) for the next job, unless
   * bp.conf says SPARE_JOB_PROCESSES = NO.
   */
  function keepBpbrmSpare(): void {
    if (confValue(readBpConf(home), 'SPARE_JOB_PROCESSES')?.toUpperCase() === 'NO') dropSpare('bpbrm');
    else if (!hasSpare('bpbrm')) keepSpare('bpbrm', { env: homeEnv(home), detached: true });
  }

  /** Runs bpbrm for a job and resolves with what it reported (or what its death means). */
  async function runBpbrm(spec: BpbrmSpec): Promise<Finished> {
    const specFile = path.join(jobsDir, `${spec.jobid}.bpbrm.json`);
    // Read only by the bpbrm started next: no fsync (after a crash nothing reads it; recovery asks bpjobd).
    fs.writeFileSync(specFile, JSON.stringify(spec), { mode: 0o600 });
    const reported = new Promise<Finished>((resolve) => finishers.set(spec.jobid, resolve));
    const errFd = processLogFd(home, 'bpbrm');
    // bpbrm leads its own process group, so that its bptm and bpbkar/nbtar can be stopped with it.
    const child = spawnBinary('bpbrm', ['--spec', specFile], { stdio: ['ignore', 'ignore', errFd], env: homeEnv(home), detached: true });
    if (typeof errFd === 'number') fs.closeSync(errFd);
    const exited = waitForExit(child).then(({ code, signal }) => ({ code, signal }));
    const first = await Promise.race([reported.then((f) => ({ f })), exited.then((x) => ({ x }))]);
    let result: Finished;
    if ('f' in first) {
      result = first.f;
      await exited;
    } else {
      // bpbrm ended: give an in-flight report a moment to land.
      const late = await Promise.race([reported, new Promise<undefined>((r) => setTimeout(() => r(undefined), 500))]);
      const x = first.x;
      result = late ?? {
        status: x.signal ? 50 : x.code && x.code !== 0 ? x.code : 50,
        kbytes: 0,
        files: 0,
        message: x.signal ? `bpbrm killed by ${x.signal}` : `bpbrm exited with ${x.code} without a report`,
      };
      if (!late && child.pid !== undefined) {
        // Its children outlive it: stop them (bptm cleans its buffer and partial fragments on SIGTERM).
        const stopped = await stopProcessGroup(child.pid);
        log(`job ${spec.jobid}: bpbrm died; its process group ${stopped ? 'stopped' : 'was already gone'}`);
        if (spec.kind === 'backup' && spec.unit.type === 'disk') await removeImageLeftovers(spec.unit.path, spec.backupid, 1).catch(() => []);
      }
    }
    finishers.delete(spec.jobid);
    fs.rmSync(specFile, { force: true });
    return result;
  }

  async function closeJob(jobid: number, f: Finished, notify?: { policy: string; schedule: string; client: string }, why?: string): Promise<void> {
    const ended = nowSeconds();
    const lines = [...(why ? [why] : []), `end job, status ${f.status} (${statusMessage(f.status)})`];
    if (f.message && f.status !== 0) lines.unshift(f.message);
    await update(jobid, {
      patch: { state: JOB_STATE.done, status: f.status, ended, kbytes: f.kbytes, files: f.files, operation: 0, percent: f.status <= 1 ? 100 : 0, stateDetail: '' },
      tryLines: lines,
      tryPatch: { status: f.status, ended, kbytes: f.kbytes, files: f.files },
    });
    await callDaemon(home, nbrb.release, { jobid }).catch((e) => log(`job ${jobid}: release failed: ${(e as Error).message}`));
    if (notify) await callDaemon(home, nbpem.jobDone, { jobid, status: f.status, ...notify, ended }).catch(() => {});
    accepted.delete(jobid);
    log(`job ${jobid} done, status ${f.status}`);
    // The next job's bpbrm starts now that this one is reported (it waits, loaded, until it is handed a job).
    keepBpbrmSpare();
  }

  /** Waits for nbrb's allocation and starts a try; a retry (`again`) keeps the job's first start time. */
  async function allocate(
    jobid: number,
    body: { client: string; policy: string; priority: number; stunit?: string; kind: string; maxPolicyJobs?: number; pool?: string; retentionLevel?: number; media?: string[]; startBy?: number },
    again = false,
  ): Promise<Granted> {
    const queued = nowSeconds();
    let granted: ReplyOf<typeof nbrb.allocate>;
    try {
      granted = await callDaemon(home, nbrb.allocate, { jobid, ...body });
    } catch (e) {
      // The window closed while the job waited: the try that never started is recorded with its status lines.
      if (toOpenbpError(e).code === 'WINDOW_CLOSED') {
        await update(jobid, { patch: {}, newTry: { pid: 0, stunit: '', server: '', started: queued, ended: 0, statusLines: [], kbytes: 0, files: 0 }, tryLines: ['requesting resource'] });
      }
      throw e;
    }
    const { unit, waited, tape } = granted;
    const now = nowSeconds();
    const tapeLines = tape
      ? [`granted drive ${tape.drive.name} (index ${tape.drive.index})`, ...(tape.volume ? [`granted media ${tape.volume.mediaId}`] : tape.readVolumes.map((v) => `granted media ${v.mediaId}`))]
      : [];
    await update(jobid, {
      patch: { state: JOB_STATE.active, stunit: unit.label, server: unit.host, stateDetail: '', ...(again ? {} : { started: now }) },
      newTry: { pid: 0, stunit: unit.label, server: unit.host, started: now, ended: 0, statusLines: [], kbytes: 0, files: 0 },
      tryLines: [`requesting resource ${unit.label}`, ...(waited ? [`awaiting resource ${unit.label}. Reason: ${waited}`] : []), `granted resource ${unit.label}`, ...tapeLines],
    });
    return { unit, ...(tape ? { tape } : {}) };
  }

  /** A committed tape image adds to its volumes' image count, kilobytes and last-written time. */
  async function recordVolumeWrites(jobid: number, backupid: string): Promise<void> {
    try {
      const { images } = await callDaemon(home, bpdbm.listImages, { backupid });
      const written = Math.floor(Date.now() / 1000);
      for (const w of volumeWrites(images[0]?.fragments ?? [])) {
        await callDaemon(home, nbemm.volumeWritten, { mediaId: w.mediaId, kbytes: w.kbytes, images: 1, written });
      }
    } catch (e) {
      log(`job ${jobid}: volume statistics of ${backupid} not updated: ${(e as Error).message}`);
    }
  }

  /** A restore that read tape counts on each volume it read: restores, mounts, last-read time. */
  async function recordVolumeReads(jobid: number, tape: TapeAssignment): Promise<void> {
    const read = nowSeconds();
    for (const v of tape.readVolumes) {
      await callDaemon(home, nbemm.volumeRead, { mediaId: v.mediaId, read }).catch((e: Error) => log(`job ${jobid}: read statistics of ${v.mediaId} not updated: ${e.message}`));
    }
  }

  /**
   * The image an incremental compares with: INCR the newest complete image of the client, policy and
   * stream (0 = single-stream), CINC the newest full of them. None: the job runs as a full.
   */
  async function baseImage(job: BackupJob, stream: number): Promise<ImageRecord | undefined> {
    if (job.schedType !== 'INCR' && job.schedType !== 'CINC') return undefined;
    const { images } = await callDaemon(home, bpdbm.listImages, { client: job.client, policy: job.policy });
    return images.find((i) => streamOf(i) === stream && (job.schedType === 'INCR' || i.schedType === 'FULL'));
  }

  /**
   * Runs one backup job to its end and closes it: one try, and for a scheduled job whose try failed,
   * more tries as nbpem allowed (job.retry), each after the delay and while its window is open; between
   * tries the job is requeued (bpdbjobs "Waiting-to-Retry"). The job ends with the status of its last
   * try. `stream` (1..): a child job of a multi-stream backup, whose image is that stream's and whose
   * incremental compares with that stream's images; its parent, not the child, tells nbpem how the
   * backup ended.
   */
  async function runBackup(jobid: number, job: BackupJob, stream = 0): Promise<Finished> {
    const notify = stream === 0 ? { policy: job.policy, schedule: job.schedule, client: job.client } : undefined;
    const plan: TryPlan = { tries: job.retry?.tries ?? 1, delaySeconds: job.retry?.delaySeconds ?? 0, ...(job.startBy !== undefined ? { startBy: job.startBy } : {}) };
    for (let n = 1; ; n++) {
      const result = await runBackupTry(jobid, job, stream, n > 1);
      const next = nextTry(plan, n, result.status, nowSeconds());
      if (!next.again) {
        await closeJob(jobid, result, notify, next.why);
        return result;
      }
      await requeueForRetry(jobid, result, n, plan.tries, next.at);
      await new Promise((r) => setTimeout(r, plan.delaySeconds * 1000));
    }
  }

  /** Ends a failed try without ending the job: its status on the try, resources released, the job requeued. */
  async function requeueForRetry(jobid: number, f: Finished, n: number, tries: number, at: number): Promise<void> {
    const ended = nowSeconds();
    await update(jobid, {
      patch: { state: JOB_STATE.requeued, operation: 0, kbytes: 0, files: 0, percent: 0, jobpid: 0, stateDetail: `waiting for retry: try ${n + 1} of ${tries} at ${formatNbDateTime(at)}` },
      tryLines: [...(f.message ? [f.message] : []), `end try ${n}, status ${f.status} (${statusMessage(f.status)}); try ${n + 1} of ${tries} at ${formatNbDateTime(at)}`],
      tryPatch: { status: f.status, ended, kbytes: f.kbytes, files: f.files },
    });
    await callDaemon(home, nbrb.release, { jobid }).catch((e) => log(`job ${jobid}: release failed: ${(e as Error).message}`));
    log(`job ${jobid}: try ${n} ended with status ${f.status}; retry at ${formatNbDateTime(at)}`);
  }

  /** One try of a backup: resources, image, bpbrm; the image is committed or removed by how it ended. */
  async function runBackupTry(jobid: number, job: BackupJob, stream: number, again: boolean): Promise<Finished> {
    let image: ImageRecord | undefined;
    let result: Finished;
    try {
      const { unit, tape } = await allocate(jobid, {
        client: job.client, policy: job.policy, priority: job.priority, ...(job.residence ? { stunit: job.residence } : {}), kind: 'backup',
        ...(job.maxPolicyJobs ? { maxPolicyJobs: job.maxPolicyJobs } : {}), pool: job.pool ?? 'NetBackup', retentionLevel: job.retentionLevel,
        ...(job.startBy !== undefined ? { startBy: job.startBy } : {}),
      }, again);
      const base = await baseImage(job, stream);
      const incremental = base !== undefined;
      if ((job.schedType === 'INCR' || job.schedType === 'CINC') && !incremental) {
        await update(jobid, { patch: {}, tryLines: [`no previous ${job.schedType === 'CINC' ? 'full ' : ''}backup of ${job.client} in policy ${job.policy}: running a full backup`] });
      }
      image = await createImageRecord(job.client, (backupTime, backupid) => ({
        client: job.client, backupid, policy: job.policy, policyType: job.policyType, schedLabel: job.schedule,
        schedType: (job.schedType === 'INCR' || job.schedType === 'CINC') && !incremental ? 'FULL' : job.schedType,
        retentionLevel: job.retentionLevel, backupTime, elapsed: 0, expiration: expirationFor(backupTime, job.retentionLevel), compression: job.compress ? 1 : 0, encryption: job.encrypt ? 1 : 0,
        kbytes: 0, numFiles: 0,
        copies: 1, numFragments: 0, keyword: job.keyword, jobid, creator: job.requester.user, primaryCopy: 1, backupStatus: 0,
        stunit: unit.label, fragments: [], ...(stream > 0 ? { streamNumber: stream } : {}),
      }));
      const { backupid, expiration } = image;
      await update(jobid, { patch: { backupid }, tryLines: [`created image ${backupid}`, ...(base ? [`incremental: changes since image ${base.backupid}`] : [])] });
      result = await runBpbrm({
        jobid, kind: 'backup', client: job.client, unit, backupid, paths: job.paths, retentionLevel: job.retentionLevel, expiration,
        fragments: [], renames: [], keepExisting: false, restoreOwnership: false, ...(base ? { baseBackupid: base.backupid } : {}), ...(tape ? { tape } : {}),
        image: { client: image.client, policy: image.policy, policyType: image.policyType, schedLabel: image.schedLabel, schedType: SCHED_TYPES[image.schedType].code },
        ...runAsFor(job.requester),
        ...(job.compress ? { compress: true } : {}), ...(job.encrypt ? { encrypt: true } : {}),
      });
    } catch (e) {
      const err = toOpenbpError(e);
      result = { status: err.status, kbytes: 0, files: 0, message: err.message };
    }
    if (image) result = await settleImage(jobid, image.backupid, image.backupTime, result);
    if (image && (result.status === 0 || result.status === 1)) await recordVolumeWrites(jobid, image.backupid);
    return result;
  }

  /** A backup that ended 0 or 1 has its image committed; any other end removes the image and its fragments. */
  async function settleImage(jobid: number, backupid: string, backupTime: number, result: Finished): Promise<Finished> {
    if (result.status !== 0 && result.status !== 1) {
      await abortImage(jobid, backupid);
      return result;
    }
    try {
      await callDaemon(home, bpdbm.commitImage, {
        backupid, kbytes: result.kbytes, numFiles: result.files, elapsed: nowSeconds() - backupTime, backupStatus: result.status,
      });
      return result;
    } catch (e) {
      const err = toOpenbpError(e);
      log(`job ${jobid}: commit of ${backupid} failed: ${err.message}`);
      await abortImage(jobid, backupid);
      return { status: err.status === 0 ? 220 : err.status, kbytes: 0, files: 0, message: `catalogue commit failed: ${err.message}` };
    }
  }

  /** Ends a job this nbjm did not start (it was running when an earlier nbjm died), from its bpjobd record. */
  async function finishOrphan(jobid: number, f: Finished): Promise<void> {
    const job = await callDaemon(home, bpjobd.get, { jobid });
    if (job.state === JOB_STATE.done) return;
    let result = f;
    if (job.jobtype === JOB_TYPE.backup && job.backupid) {
      const { images } = await callDaemon(home, bpdbm.listImages, { backupid: job.backupid, includeIncomplete: true });
      result = await settleImage(jobid, job.backupid, images[0]?.backupTime ?? job.started, f);
    }
    await closeJob(jobid, result, job.jobtype === JOB_TYPE.backup ? { policy: job.policy, schedule: job.schedule, client: job.client } : undefined);
  }

  async function abortImage(jobid: number, backupid: string): Promise<void> {
    try {
      const { images } = await callDaemon(home, bpdbm.listImages, { backupid, includeIncomplete: true });
      const { fragments } = await callDaemon(home, bpdbm.abortImage, { backupid });
      await deleteDiskFragments(fragments);
      // Fragments the catalogue never heard of (bpdbm died before recording them) are on the unit too.
      let stray: string[] = [];
      const label = images[0]?.stunit;
      if (label) {
        const { units } = await callDaemon(home, nbemm.listStorageUnits, { label }).catch(() => ({ units: [] }));
        const unit = units[0];
        if (unit?.type === 'disk') stray = await removeImageLeftovers(unit.path, backupid, 1).catch(() => []);
      }
      log(`job ${jobid}: image ${backupid} removed (${fragments.length} fragments${stray.length ? `, ${stray.length} uncatalogued` : ''})`);
    } catch (e) {
      log(`job ${jobid}: abort of ${backupid} failed: ${(e as Error).message}`);
    }
  }

  async function runRestore(jobid: number, job: RestoreJob): Promise<void> {
    let result: Finished;
    try {
      const { images } = await callDaemon(home, bpdbm.listImages, { backupid: job.backupid, client: job.client });
      const image = images[0];
      if (!image) throw new OpenbpError('NO_ENTITY', `image ${job.backupid} does not exist`);
      const media = job.neededImage ? neededMedia(parseNeededImage(fs.readFileSync(job.neededImage, 'utf8'))) : tapeMediaOf(image.fragments);
      const { unit, tape } = await allocate(jobid, { client: job.destClient, policy: image.policy, priority: job.priority, stunit: image.stunit, kind: 'restore', media });
      await update(jobid, { patch: { backupid: image.backupid }, tryLines: [`restoring from image ${image.backupid}`] });
      result = await runBpbrm({
        jobid, kind: 'restore', client: job.destClient, unit, backupid: image.backupid, paths: job.paths, retentionLevel: image.retentionLevel,
        expiration: image.expiration, fragments: image.fragments, renames: job.renames, keepExisting: job.keepExisting,
        restoreOwnership: job.requester.uid === 0,
        ...runAsFor(job.requester),
        ...(job.rangeStart !== undefined ? { rangeStart: job.rangeStart } : {}),
        ...(job.rangeEnd !== undefined ? { rangeEnd: job.rangeEnd } : {}),
        ...(tape ? { tape } : {}),
      });
      if (tape) await recordVolumeReads(jobid, tape);
    } catch (e) {
      const err = toOpenbpError(e);
      result = { status: err.status, kbytes: 0, files: 0, message: err.message };
    }
    if (job.neededImage) fs.rmSync(job.neededImage, { force: true });
    await closeJob(jobid, result);
  }

  const multistream = createMultistream({ home, log, accepted, runBackup, closeJob });
  const verifier = createVerifier({ home, log, accepted, allocate, update, runBpbrm, closeJob: (jobid, f) => closeJob(jobid, f) });

  return {
    routes: [
      route(nbjm.submitVerify, (body) => verifier.submit(body)),
      route(nbjm.submitBackup, async (spec) => {
        if (spec.multipleStreams && spec.schedType !== 'UBAK' && spec.schedType !== 'UARC') {
          const streams = splitStreams(spec.paths);
          if (streams.length > 0) return multistream.submit(spec, streams);
        }
        const job = { ...spec, paths: selectionPaths(spec.paths) };
        const rec = newJobRecord({
          jobtype: JOB_TYPE.backup, policy: job.policy, schedule: job.schedule, schedType: job.schedType, client: job.client,
          requester: job.requester, priority: job.priority, retentionLevel: job.retentionLevel, subtype: job.subtype, fileList: job.paths,
          policyType: job.policyType,
        });
        const { jobid } = await callDaemon(home, bpjobd.create, rec);
        log(`job ${jobid}: backup of ${job.client} policy ${job.policy} schedule ${job.schedule} queued`);
        accepted.add(jobid);
        void runBackup(jobid, job).catch((e) => log(`job ${jobid}: ${(e as Error).stack}`));
        return { jobid };
      }),
      route(nbjm.submitRestore, async (body) => {
        const jobids: number[] = [];
        let previous: Promise<void> = Promise.resolve();
        for (const job of body.jobs) {
          const rec = newJobRecord({
            jobtype: JOB_TYPE.restore, policy: '', schedule: '', client: job.destClient, requester: job.requester, priority: job.priority,
            retentionLevel: 0, subtype: 2, fileList: job.paths, policyType: 0,
          });
          const { jobid } = await callDaemon(home, bpjobd.create, rec);
          jobids.push(jobid);
          log(`job ${jobid}: restore from ${job.backupid} queued`);
          accepted.add(jobid);
          const run = () => runRestore(jobid, job).catch((e) => log(`job ${jobid}: ${(e as Error).stack}`));
          if (body.sequential) previous = previous.then(run);
          else void run();
        }
        return { jobids };
      }),
      route(nbjm.nextMedia, async (body) => {
        const r = await callDaemon(home, nbrb.nextVolume, body);
        await update(body.jobid, { patch: {}, tryLines: [`media ${body.mediaId} ${body.reason === 'full' ? 'is full' : `is ${body.reason}`}`, `granted media ${r.volume.mediaId}`] });
        return r;
      }),
      route(nbjm.jobFinished, async (body) => {
        const report: Finished = { status: body.status, kbytes: body.kbytes, files: body.files, ...(body.message ? { message: body.message } : {}) };
        const f = finishers.get(body.jobid);
        if (f) f(report);
        else {
          // A bpbrm started by an nbjm that has since died: close its job here.
          recovery.forget(body.jobid);
          await finishOrphan(body.jobid, report);
        }
        return {};
      }),
    ],
    start() {
      void recovery.recover().catch((e) => log(`recovery failed: ${(e as Error).message}`));
    },
    close: async () => {
      dropSpares();
      await recovery.stop();
    },
  };
}
