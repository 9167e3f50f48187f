// bpverify: read backup images back and check them (fragment checksums, tar stream, catalogue) without restoring.

import { defineCommand, type CommandContext, type CommandResult } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { currentRequester } from '../cli/requester.js';
import { WAIT_TIME, waitSeconds } from '../cli/wait-time.js';
import { waitForJobs, failureDetail, describeJobs } from '../cli/wait-jobs.js';
import { jobResult } from '../cli/job-result.js';
import { formatNbDateTime, parseNbDate, parseNbEndDate } from '../cli/dates.js';
import { bpdbm } from '../protocol/bpdbm.js';
import { nbjm } from '../protocol/nbjm.js';
import { OpenbpError } from '../protocol/errors.js';
import { statusMessage } from '../protocol/status.js';
import type { ImageRecord, JobRecord } from '../protocol/records.js';

const clock = (epoch: number): string => formatNbDateTime(epoch).split(' ')[1]!;

/**
 * The progress lines NetBackup's bpverify prints per image and the summary line [M: layout from memory
 * of NetBackup's progress log]: "hh:mm:ss INF - Verify of policy P, schedule S (ID) was successful",
 * "... ERR - ... failed, <message> (<status>)", then "INF - Status = successfully verified N of M images."
 */
export function verifyReport(images: readonly ImageRecord[], jobs: readonly Pick<JobRecord, 'backupid' | 'status' | 'ended' | 'started'>[], started: number): string[] {
  const lines = [`${clock(started)} INF - Verify started ${new Date(started * 1000).toString().slice(0, 24)}`];
  let ok = 0;
  for (const image of images) {
    const job = jobs.find((j) => j.backupid === image.backupid);
    const status = job?.status ?? -1;
    const what = `Verify of policy ${image.policy}, schedule ${image.schedLabel} (${image.backupid})`;
    const at = clock(job?.ended || started);
    if (status === 0) {
      ok++;
      lines.push(`${at} INF - ${what} was successful`);
    } else lines.push(`${at} ERR - ${what} failed, ${statusMessage(status)} (${status})`);
  }
  lines.push(`${clock(Math.floor(Date.now() / 1000))} INF - Status = successfully verified ${ok} of ${images.length} images.`);
  return lines;
}

export interface BpverifyOptions {
  backupid?: string;
  client?: string;
  policy?: string;
  since: number;
  until?: number;
  /** Seconds to wait for the jobs; undefined: do not wait. */
  wait?: number;
}

function normalise(opts: Record<string, unknown>, now: number): BpverifyOptions {
  const since = opts.start !== undefined ? parseNbDate(String(opts.start), '-s') : now - 24 * 3600;
  const until = opts.end !== undefined ? parseNbEndDate(String(opts.end), '-e') : undefined;
  if (until !== undefined && since > until) throw new OpenbpError('INVALID_PARAMETER', '-s date is after -e date');
  const wait = waitSeconds(opts.wait as string | boolean | undefined);
  return {
    ...(opts.backupid !== undefined ? { backupid: String(opts.backupid) } : {}),
    ...(opts.client !== undefined ? { client: String(opts.client) } : {}),
    ...(opts.policy !== undefined ? { policy: String(opts.policy) } : {}),
    since,
    ...(until !== undefined ? { until } : {}),
    ...(wait !== undefined ? { wait } : {}),
  };
}

/** Several images: 0 when all verified, 191 when none did, otherwise the first failure. One image: its status. */
export function verifyStatus(statuses: readonly number[]): number {
  const failed = statuses.filter((s) => s !== 0);
  if (failed.length === 0) return 0;
  if (statuses.length > 1 && failed.length === statuses.length) return 191;
  return failed[0]!;
}

export async function runBpverify(ctx: CommandContext, o: BpverifyOptions): Promise<CommandResult> {
  // -backupid names one image whatever its date; otherwise the selection is by client, policy and date.
  const filter = o.backupid !== undefined
    ? { backupid: o.backupid, ...(o.client !== undefined ? { client: o.client } : {}) }
    : { ...(o.client !== undefined ? { client: o.client } : {}), ...(o.policy !== undefined ? { policy: o.policy } : {}), since: o.since, ...(o.until !== undefined ? { until: o.until } : {}) };
  const { images } = await callDaemon(ctx.home, bpdbm.listImages, filter);
  if (images.length === 0) throw new OpenbpError('NO_ENTITY', o.backupid !== undefined ? `no image ${o.backupid} in the catalogue` : 'no images match the selection');
  // Oldest first, as NetBackup processes them.
  const selected = [...images].sort((a, b) => a.backupTime - b.backupTime);
  const requester = currentRequester();
  const started = Math.floor(Date.now() / 1000);
  const { jobids } = await callDaemon(ctx.home, nbjm.submitVerify, { jobs: selected.map((i) => ({ backupid: i.backupid, requester, priority: 0 })) });
  const queued = selected.map((i, n) => `Verify of ${i.backupid} queued as job ${jobids[n]}`);
  if (o.wait === undefined) return { status: 0, stdout: queued.join('\n') + '\n', json: { jobids, backupids: selected.map((i) => i.backupid) } };
  const spinner = await ctx.spinner();
  let jobs;
  try {
    jobs = await waitForJobs(ctx.home, jobids, o.wait, (js) => spinner.update(describeJobs(js)));
  } finally {
    spinner.stop();
  }
  const status = verifyStatus(jobs.map((j) => j.status ?? 0));
  const failures = jobs.filter((j) => (j.status ?? 0) !== 0).map((j) => `bpverify: ${j.backupid}: status ${j.status}${failureDetail(j) ? `: ${failureDetail(j)}` : ''}`);
  const detail = status > 1 ? jobs.map((j) => failureDetail(j)).find((d) => d) : undefined;
  const result = jobResult(ctx, status, failures, detail, { jobids, images: jobs.map((j) => ({ backupid: j.backupid, jobid: j.jobid, status: j.status })) });
  const report = verifyReport(selected, jobs, started).join('\n') + '\n';
  return { ...result, stdout: report + (typeof result.stdout === 'string' ? result.stdout : '') };
}

export const command = defineCommand({
  name: 'bpverify',
  summary: 'verify backup images: read them back and check fragment checksums and the tar stream',
  options: [
    { flag: '-backupid', key: 'backupid', kind: 'string', arg: 'backup_id', help: 'verify this image' },
    { flag: '-client', key: 'client', kind: 'string', arg: 'client', help: 'images of this client' },
    { flag: '-policy', key: 'policy', kind: 'string', arg: 'policy', help: 'images of this policy' },
    { flag: '-s', key: 'start', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss]', help: 'images from this date (default: 24 hours ago)' },
    { flag: '-e', key: 'end', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss]', help: 'images up to this date (default: now)' },
    { flag: '-w', key: 'wait', kind: 'flag', optionalValue: WAIT_TIME, arg: 'hh:mm:ss', help: 'wait for the verify jobs to end (at most hh:mm:ss) and print the status' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'Exit status: 0 verified; 85 checksum mismatch or short fragment; 83 fragment missing; 92 not a tar stream or not matching the catalogue; 191 no image verified; 227 nothing matches.',
  async run(ctx, opts) {
    return runBpverify(ctx, normalise(opts, Math.floor(Date.now() / 1000)));
  },
});
