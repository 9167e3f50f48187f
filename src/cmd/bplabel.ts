// bplabel: write a NetBackup media header on a cartridge (mounted through its robot) and unassign it in nbemm.

import { nowSeconds } from '../config/clock.js';
import { defineCommand, type CommandContext, type ParsedOptions } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { lookUpVolume, mountVolume } from '../cli/mount-volume.js';
import { clientName, readBpConf } from '../config/bp-conf.js';
import { checkMediaId } from '../master/nbemm/media-store.js';
import { bpdbm } from '../protocol/bpdbm.js';
import { nbemm } from '../protocol/nbemm.js';
import { OpenbpError } from '../protocol/errors.js';
import { densityOf } from '../storage/tape/barcode.js';
import { inspectCartridge, writeMediaHeader, type LabelFound } from '../storage/tape/label-cartridge.js';

export interface BplabelOptions {
  mediaId: string;
  density: string;
  pool?: string;
  overwrite: boolean;
  driveIndex?: number;
  robotType?: string;
  robotNumber?: number;
}

const bad = (m: string) => new OpenbpError('INVALID_PARAMETER', m, { hint: 'see bplabel --help' });

function normalise(opts: ParsedOptions): BplabelOptions {
  if (typeof opts.media !== 'string') throw bad('-m media_id is required');
  if (typeof opts.density !== 'string') throw bad('-d density is required (e.g. hcart3)');
  if ((opts.rt === undefined) !== (opts.rn === undefined)) throw bad('-rt and -rn go together');
  return {
    mediaId: checkMediaId(opts.media),
    density: opts.density.toLowerCase(),
    overwrite: opts.overwrite === true,
    ...(typeof opts.pool === 'string' ? { pool: opts.pool } : {}),
    ...(typeof opts.drive === 'number' ? { driveIndex: opts.drive } : {}),
    ...(typeof opts.rt === 'string' ? { robotType: opts.rt } : {}),
    ...(typeof opts.rn === 'number' ? { robotNumber: opts.rn } : {}),
  };
}

/** Backup IDs on the cartridge that must not be overwritten: catalogued images with a fragment on it, or BHs not yet expired. */
async function protectedImages(ctx: CommandContext, mediaId: string, found: LabelFound, now: number): Promise<string[]> {
  const { images } = await callDaemon(ctx.home, bpdbm.listImages, { includeIncomplete: true });
  const ids = new Set(images.filter((i) => i.expiration > now && i.fragments.some((f) => f.mediaId === mediaId)).map((i) => i.backupid));
  if (found.kind === 'openbp') for (const bh of found.fragments ?? []) if (bh.expiration > now) ids.add(bh.backupid);
  return [...ids].sort();
}

export async function runBplabel(ctx: CommandContext, o: BplabelOptions) {
  const { volume, pools } = await lookUpVolume(ctx.home, o.mediaId);
  if (volume.density !== o.density) throw bad(`${o.mediaId} is ${volume.density} media, not ${o.density}`);
  if (o.pool !== undefined && !pools.some((p) => p.name === o.pool)) throw new OpenbpError('NO_SUCH_POOL', `volume pool ${o.pool} does not exist`);
  const pool = o.pool ?? pools.find((p) => p.number === volume.pool)?.name ?? 'NetBackup';
  const host = clientName(readBpConf(ctx.home));
  const now = nowSeconds();
  const mount = await mountVolume(ctx.home, volume, { write: true, ...o });
  let stderr = '';
  try {
    const found = await inspectCartridge(mount.handle);
    if (!o.overwrite) {
      if (found.kind === 'foreign') throw new OpenbpError('MEDIA_PROTECTED', `${o.mediaId} holds data that is not a NetBackup media header (${found.detail}); use -o to overwrite it`, { media: o.mediaId });
      if (found.kind === 'openbp' && found.fragments === undefined) throw new OpenbpError('MEDIA_PROTECTED', `the backup headers of ${o.mediaId} cannot be read; use -o to overwrite it`, { media: o.mediaId });
      const keep = await protectedImages(ctx, o.mediaId, found, now);
      if (keep.length > 0) throw new OpenbpError('MEDIA_PROTECTED', `${o.mediaId} holds ${keep.length} unexpired image(s) (${keep.slice(0, 3).join(' ')}${keep.length > 3 ? ' ...' : ''}); use -o to overwrite`, { media: o.mediaId });
    }
    await writeMediaHeader(mount.handle, { mediaId: o.mediaId, created: now, retentionLevel: 0, densityCode: densityOf(volume.barcode).densityCode, pool, host });
  } finally {
    await mount.release();
  }
  // The images that were on it are gone from the media: the catalogue must not list them any more.
  const { images } = await callDaemon(ctx.home, bpdbm.listImages, {});
  for (const image of images.filter((i) => i.fragments.some((f) => f.mediaId === o.mediaId))) {
    await callDaemon(ctx.home, bpdbm.deleteImage, { backupid: image.backupid });
    stderr += `image ${image.backupid} was on ${o.mediaId}: removed from the catalogue\n`;
  }
  const v = await callDaemon(ctx.home, nbemm.labelVolume, { mediaId: o.mediaId, ...(o.pool !== undefined ? { pool: o.pool } : {}) });
  return { status: 0, ...(stderr ? { stderr } : {}), json: { mediaId: o.mediaId, drive: mount.drive.index, volume: v } };
}

export const command = defineCommand({
  name: 'bplabel',
  summary: 'write a NetBackup media header on a tape volume',
  options: [
    { flag: '-m', key: 'media', kind: 'string', arg: 'media_id', help: 'the volume to label (in the volume database)' },
    { flag: '-d', key: 'density', kind: 'string', arg: 'density', help: 'its density (hcart3, ...); must match the volume' },
    { flag: '-p', key: 'pool', kind: 'string', arg: 'volume_pool', help: 'pool to put the volume in (default: its pool)' },
    { flag: '-o', key: 'overwrite', kind: 'flag', help: 'overwrite unexpired images or a foreign label (their catalogue entries are removed)' },
    { flag: '-u', key: 'drive', kind: 'int', arg: 'device_number', help: 'drive index to use (tpconfig -d)' },
    { flag: '-rt', key: 'rt', kind: 'string', arg: 'robot_type', help: 'robot type the volume is in (TLD)' },
    { flag: '-rn', key: 'rn', kind: 'int', arg: 'robot_number', help: 'robot number the volume is in' },
    { flag: '-host', key: 'host', kind: 'string', arg: 'media_server', help: 'media server (accepted; one server)' },
  ],
  epilog: 'Exit status: 0; 20 bad option or density; 95 unknown media ID; 164 volume not in its robot; 167 no such pool;\n168 unexpired images or a foreign label without -o; 2001 no free drive; 84 write failure.',
  run: (ctx, opts) => runBplabel(ctx, normalise(opts)),
});
