// bprd's restore child: a restore that reads tape runs in a process of its own, as NetBackup's bprd forks one
// per restore. bprd writes the neededimage files and the child's spec, starts `bprd -restore_child FILE`,
// and answers the requester with the jobs the child submitted; the child then stays with the restore until
// its jobs end and removes the neededimage files and its spec on every path (a failed submission too).

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Home } from '../../config/home.js';
import type { LogLine } from '../../config/daemon-log.js';
import { writeFileAtomic } from '../../config/atomic-file.js';
import { homeEnv, spawnBinary } from '../../ipc/spawn.js';
import { callDaemon } from '../../cli/daemon-call.js';
import { nbjm, type RestoreSubmission } from '../../protocol/nbjm.js';
import { OpenbpError, toOpenbpError, type ErrorRecord } from '../../protocol/errors.js';
import { restoreChildReply, restoreChildSpec, type RestoreChildReply } from '../../protocol/job-specs.js';
import { readJobSpec } from '../../cli/job-spec-file.js';
import { waitForJobs } from '../../cli/wait-jobs.js';

/** How long bprd waits for the child's answer before it gives up on the request (the child cleans up alone). */
const ANSWER_MS = 120_000;

/** bprd: starts the child for `submit` and resolves with the jobs it submitted. */
export async function startRestoreChild(home: Home, submit: RestoreSubmission, log: LogLine): Promise<{ jobids: number[] }> {
  const dir = path.join(home.run, 'restore');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const specFile = path.join(dir, `${crypto.randomBytes(6).toString('hex')}.request`);
  writeFileAtomic(specFile, JSON.stringify(restoreChildSpec.parse({ submit })));
  const child = spawnBinary('bprd', ['-restore_child', specFile], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: homeEnv(home),
    detached: true,
  });
  child.unref();
  log(`restore child pid ${child.pid ?? '?'} started for ${submit.jobs.map((j) => j.backupid).join(',')}`);
  const reply = await firstLine(child.stdout!, ANSWER_MS).catch((e: Error) => {
    throw new OpenbpError('NETWORK_BROKEN', `bprd restore child (pid ${child.pid ?? '?'}) did not answer: ${e.message}`);
  });
  let parsed: RestoreChildReply;
  try {
    parsed = restoreChildReply.parse(JSON.parse(reply));
  } catch (e) {
    throw new OpenbpError('NETWORK_BROKEN', `bprd restore child answered garbage: ${(e as Error).message}`);
  }
  if (parsed.jobids) return { jobids: parsed.jobids };
  if (parsed.error) throw OpenbpError.fromRecord(parsed.error as ErrorRecord);
  throw new OpenbpError('NETWORK_BROKEN', 'the restore child answered neither jobs nor an error');
}

/** The child: submit, answer through `answer`, wait for the jobs, clean up. Resolves with 0 or the submission's status. */
export async function runRestoreChild(home: Home, specFile: string, answer: (reply: RestoreChildReply) => void, log: LogLine): Promise<number> {
  let neededImages: string[] = [];
  try {
    const { submit } = readJobSpec(specFile, restoreChildSpec);
    neededImages = submit.jobs.flatMap((j) => (j.neededImage ? [j.neededImage] : []));
    let jobids: number[];
    try {
      ({ jobids } = await callDaemon(home, nbjm.submitRestore, submit));
    } catch (e) {
      const err = toOpenbpError(e);
      answer({ error: { code: err.code, status: err.status, message: err.message } });
      return err.status;
    }
    answer({ jobids });
    log(`restore child ${process.pid}: jobs ${jobids.join(',')} reading ${neededImages.length} neededimage file(s)`);
    // The commands' own wait: it rides out bpjobd restarts and ends on the polled job state too.
    await waitForJobs(home, jobids, 0).catch((e: unknown) => log(`restore child ${process.pid}: stopped waiting for jobs ${jobids.join(',')}: ${toOpenbpError(e).message}`));
    return 0;
  } finally {
    for (const f of [...neededImages, specFile]) fs.rmSync(f, { force: true });
  }
}

function firstLine(stream: NodeJS.ReadableStream, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => done(new Error(`no answer within ${ms / 1000} s`)), ms);
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl >= 0) done(undefined, text.slice(0, nl));
    };
    const onEnd = () => done(new Error('it exited without answering'));
    const done = (err?: Error, line?: string) => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      if (err) reject(err);
      else resolve(line!);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}
