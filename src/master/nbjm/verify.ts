// nbjm's verify jobs (bpverify): one bpdbjobs type-3 job per image, bpbrm reads the image back whole and checks it.

import { bpjobd } from '../../protocol/bpjobd.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { JOB_TYPE, type ImageRecord } from '../../protocol/records.js';
import { OpenbpError, toOpenbpError } from '../../protocol/errors.js';
import type { BpbrmSpec } from '../../protocol/job-specs.js';
import type { Infer } from '../../protocol/schema.js';
import type { RequestOf } from '../../protocol/message.js';
import type { verifyJobSpec } from '../../protocol/nbjm.js';
import type { Home } from '../../config/home.js';
import type { LogLine } from '../../config/daemon-log.js';
import { callDaemon } from '../../cli/daemon-call.js';
import { newJobRecord } from './job-record.js';
import { tapeMediaOf, type Granted } from './tape-media.js';

type VerifyJob = Infer<typeof verifyJobSpec>;

interface Finished {
  status: number;
  kbytes: number;
  files: number;
  message?: string;
}

/** What a verify job borrows from nbjm's job machinery. */
export interface VerifyDeps {
  home: Home;
  log: LogLine;
  accepted: Set<number>;
  allocate(jobid: number, body: { client: string; policy: string; priority: number; stunit?: string; kind: string; media?: string[] }): Promise<Granted>;
  update(jobid: number, body: Omit<RequestOf<typeof bpjobd.update>, 'jobid'>): Promise<unknown>;
  runBpbrm(spec: BpbrmSpec): Promise<Finished>;
  closeJob(jobid: number, f: Finished): Promise<void>;
}

export function createVerifier(deps: VerifyDeps) {
  const { home, log } = deps;

  async function findImage(backupid: string): Promise<ImageRecord | undefined> {
    const { images } = await callDaemon(home, bpdbm.listImages, { backupid });
    return images[0];
  }

  async function runVerify(jobid: number, job: VerifyJob): Promise<void> {
    let result: Finished;
    try {
      const image = await findImage(job.backupid);
      if (!image) throw new OpenbpError('NO_ENTITY', `image ${job.backupid} does not exist`);
      const { unit, tape } = await deps.allocate(jobid, {
        client: image.client, policy: image.policy, priority: job.priority, stunit: image.stunit, kind: 'verify', media: tapeMediaOf(image.fragments),
      });
      await deps.update(jobid, { patch: { backupid: image.backupid }, tryLines: [`verifying image ${image.backupid} (${image.fragments.length} fragments)`] });
      result = await deps.runBpbrm({
        jobid, kind: 'verify', client: image.client, unit, backupid: image.backupid, paths: [], retentionLevel: image.retentionLevel,
        expiration: image.expiration, fragments: image.fragments, renames: [], keepExisting: false, restoreOwnership: false, ...(tape ? { tape } : {}),
      });
    } catch (e) {
      const err = toOpenbpError(e);
      result = { status: err.status, kbytes: 0, files: 0, message: err.message };
    }
    await deps.closeJob(jobid, result);
  }

  /** Creates the jobs now and runs them one after another (reading the same unit in parallel gains nothing). */
  async function submit(body: { jobs: VerifyJob[] }): Promise<{ jobids: number[] }> {
    const jobids: number[] = [];
    let previous: Promise<void> = Promise.resolve();
    for (const job of body.jobs) {
      const image = await findImage(job.backupid).catch(() => undefined);
      const rec = newJobRecord({
        jobtype: JOB_TYPE.verify, policy: image?.policy ?? '', schedule: image?.schedLabel ?? '', client: image?.client ?? '',
        requester: job.requester, priority: job.priority, retentionLevel: image?.retentionLevel ?? 0, subtype: 0, fileList: [],
        policyType: image?.policyType ?? 0,
      });
      const { jobid } = await callDaemon(home, bpjobd.create, { ...rec, backupid: job.backupid });
      jobids.push(jobid);
      log(`job ${jobid}: verify of ${job.backupid} queued`);
      deps.accepted.add(jobid);
      previous = previous.then(() => runVerify(jobid, job).catch((e) => log(`job ${jobid}: ${(e as Error).stack}`)));
    }
    return { jobids };
  }

  return { submit };
}
