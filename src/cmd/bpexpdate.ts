// bpexpdate: change an image's expiration date, or with -d 0 expire it now (catalogue entry and fragments removed).

import readline from 'node:readline';
import { defineCommand, type CommandContext } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { formatNbDateTime, parseNbDate } from '../cli/dates.js';
import { dependentsOf } from '../master/nbpem/cleanup-plan.js';
import { releaseEmptyVolumes } from '../master/nbpem/expired-volumes.js';
import { bpdbm } from '../protocol/bpdbm.js';
import { OpenbpError } from '../protocol/errors.js';
import type { FragmentRecord } from '../protocol/records.js';
import { nbemm } from '../protocol/nbemm.js';
import { checkMediaId } from '../master/nbemm/media-store.js';
import { deleteDiskFragments } from '../storage/disk/delete-fragments.js';

const INFINITY = 2147483647;

export interface BpexpdateOptions {
  /** One image (-backupid), or every image with a fragment on a volume (-m). */
  backupid?: string;
  mediaId?: string;
  /** Epoch seconds, or 0: expire now. */
  expiration: number;
  client?: string;
  copy?: number;
  force: boolean;
}

/** -d: `0` (now), `infinity`, or mm/dd/yyyy [hh:mm:ss]. */
export function parseExpiration(text: string): number {
  const t = text.trim();
  if (t === '0') return 0;
  if (/^infinity$/i.test(t)) return INFINITY;
  return parseNbDate(t, '-d');
}

function normalise(opts: Record<string, unknown>): BpexpdateOptions {
  if ((opts.backupid === undefined) === (opts.media === undefined)) throw new OpenbpError('INVALID_PARAMETER', 'give -backupid ID or -m media_id (bpexpdate -backupid ID | -m MEDIA_ID -d DATE|0 [-force])');
  if (opts.date === undefined) throw new OpenbpError('INVALID_PARAMETER', '-d is required: a date mm/dd/yyyy [hh:mm:ss], or 0 to expire now');
  const copy = opts.copy === undefined ? undefined : Number(opts.copy);
  return {
    ...(opts.backupid !== undefined ? { backupid: String(opts.backupid) } : { mediaId: checkMediaId(String(opts.media)) }),
    expiration: parseExpiration(String(opts.date)),
    ...(opts.client !== undefined ? { client: String(opts.client) } : {}),
    ...(copy !== undefined ? { copy } : {}),
    force: opts.force === true,
  };
}

/** Asks y/n on the terminal; anything but y/yes is no. */
async function askYes(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function question(o: BpexpdateOptions, what: string): string {
  if (o.expiration === 0) return `Are you SURE you want to delete ${what} y/n (n)? `;
  const when = o.expiration >= INFINITY ? 'INFINITY' : formatNbDateTime(o.expiration);
  return `Are you SURE you want to change ${what} to expire on ${when} y/n (n)? `;
}

type Result = { status: number; stdout?: string; stderr?: string; json: unknown };

/** -m: every image with a fragment on the volume; with -d 0 they are removed and the volume is unassigned. */
async function runForMedia(ctx: CommandContext, o: BpexpdateOptions & { mediaId: string }): Promise<Result> {
  await callDaemon(ctx.home, nbemm.listVolumes, { mediaId: o.mediaId }); // 95 for an unknown media ID
  const { images } = await callDaemon(ctx.home, bpdbm.listImages, {});
  const on = images.filter((i) => i.fragments.some((f) => f.mediaId === o.mediaId) && (o.client === undefined || i.client === o.client));
  if (!o.force) {
    if (!ctx.stdinIsTTY) throw new OpenbpError('INVALID_PARAMETER', `not changing the images on ${o.mediaId} without confirmation`, { hint: 'standard input is not a terminal: pass -force' });
    if (!(await askYes(question(o, `the ${on.length} image(s) on media ${o.mediaId}`)))) return { status: 0, stderr: `${o.mediaId} not changed\n`, json: { mediaId: o.mediaId, changed: false } };
  }
  if (o.expiration !== 0) {
    for (const i of on) await callDaemon(ctx.home, bpdbm.setExpiration, { backupid: i.backupid, expiration: o.expiration, client: i.client });
    return { status: 0, json: { mediaId: o.mediaId, images: on.map((i) => i.backupid), expiration: o.expiration } };
  }
  const freed = [];
  for (const i of on) freed.push(...(await callDaemon(ctx.home, bpdbm.deleteImage, { backupid: i.backupid, client: i.client })).fragments);
  await deleteDiskFragments(freed);
  const released = await releaseEmptyVolumes(ctx.home, [...freed, ...(on.length === 0 ? [mediaMarker(o.mediaId)] : [])]);
  return { status: 0, json: { mediaId: o.mediaId, images: on.map((i) => i.backupid), unassigned: released.includes(o.mediaId) } };
}

/** A fragment record naming only a volume: lets releaseEmptyVolumes look at a volume no deleted image was on. */
function mediaMarker(mediaId: string): FragmentRecord {
  return {
    copy: 1, fragment: 1, kbytes: 0, remainder: 0, mediaType: 2, density: 0, fileNumber: 0, mediaId, host: '', blockSize: 0, offset: 0,
    mediaDate: 0, devWritten: 0, flags: 0, expiration: 0, retentionLevel: 0, streamOffset: 0, bytes: 0, checksum: '',
  };
}

export async function runBpexpdate(ctx: CommandContext, o: BpexpdateOptions): Promise<Result> {
  if (o.mediaId !== undefined) return runForMedia(ctx, { ...o, mediaId: o.mediaId });
  const { images } = await callDaemon(ctx.home, bpdbm.listImages, { backupid: o.backupid!, ...(o.client !== undefined ? { client: o.client } : {}) });
  const image = images[0];
  if (!image) throw new OpenbpError('NO_ENTITY', `no image ${o.backupid}${o.client !== undefined ? ` of client ${o.client}` : ''} in the catalogue`);
  if (o.copy !== undefined && (o.copy < 1 || o.copy > Math.max(1, image.copies))) throw new OpenbpError('NO_ENTITY', `image ${o.backupid} has no copy ${o.copy}`);
  if (!o.force) {
    if (!ctx.stdinIsTTY) {
      throw new OpenbpError('INVALID_PARAMETER', `not changing ${o.backupid} without confirmation`, { hint: 'standard input is not a terminal: pass -force to change or delete without asking' });
    }
    if (!(await askYes(question(o, image.backupid)))) return { status: 0, stderr: `${o.backupid} not changed\n`, json: { backupid: o.backupid, changed: false } };
  }
  if (o.expiration !== 0) {
    const updated = await callDaemon(ctx.home, bpdbm.setExpiration, { backupid: image.backupid, expiration: o.expiration, client: image.client });
    return { status: 0, json: { backupid: updated.backupid, expiration: updated.expiration, changed: true } };
  }
  // Expire now. Later incrementals that depend on it lose their base: say so (NetBackup expires it anyway).
  const { images: same } = await callDaemon(ctx.home, bpdbm.listImages, { client: image.client, policy: image.policy });
  const orphans = dependentsOf(same, image).map((i) => i.backupid);
  const { fragments } = await callDaemon(ctx.home, bpdbm.deleteImage, { backupid: image.backupid, client: image.client });
  let stderr = orphans.length > 0 ? `warning: ${orphans.join(' ')} depend${orphans.length === 1 ? 's' : ''} on ${image.backupid}; restores from ${orphans.length === 1 ? 'it' : 'them'} are now incomplete\n` : '';
  try {
    await deleteDiskFragments(fragments);
    const released = await releaseEmptyVolumes(ctx.home, fragments);
    if (released.length > 0) stderr += `media ${released.join(' ')} hold no unexpired image: unassigned\n`;
  } catch (e) {
    stderr += `${image.backupid} removed from the catalogue, but not all of its fragments: ${(e as Error).message}\n`;
    return { status: 1, stderr, json: { backupid: image.backupid, deleted: true, fragments: fragments.length, dependents: orphans } };
  }
  return { status: 0, ...(stderr ? { stderr } : {}), json: { backupid: image.backupid, deleted: true, fragments: fragments.length, dependents: orphans } };
}

export const command = defineCommand({
  name: 'bpexpdate',
  summary: 'change the expiration date of a backup image (or of every image on a volume), or expire it now (-d 0)',
  options: [
    { flag: '-backupid', key: 'backupid', kind: 'string', arg: 'backup_id', help: 'the image to change' },
    { flag: '-m', key: 'media', kind: 'string', arg: 'media_id', help: 'every image with a fragment on this volume; with -d 0 the volume is also unassigned' },
    { flag: '-d', key: 'date', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss] | 0 | infinity', help: 'new expiration date; 0 expires the image now: it leaves the catalogue and its fragments the storage unit' },
    { flag: '-client', key: 'client', kind: 'string', arg: 'client', help: 'the image must belong to this client' },
    { flag: '-copy', key: 'copy', kind: 'int', arg: 'copy', help: 'copy number (openbp images have one copy: 1)' },
    { flag: '-force', key: 'force', kind: 'flag', help: 'do not ask for confirmation (required when standard input is not a terminal)' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'Exit status: 0; 20 bad option, bad date, or no -force without a terminal; 95 unknown media ID; 227 no such image.',
  async run(ctx, opts) {
    return runBpexpdate(ctx, normalise(opts));
  },
});
