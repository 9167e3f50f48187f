// bpmedialist: report media in the NetBackup media database (-mlist -U/-l/-L, -mcontents).

import { defineCommand, type CommandContext, type ParsedOptions } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { mcontentsReport, mediaHeaderLine, mlistLongReport, mlistRaw, mlistUserReport } from '../cli/reports/media.js';
import { lookUpVolume, mountVolume } from '../cli/mount-volume.js';
import { parseBackupId } from '../formats/catalog-paths.js';
import { readCartridgeContents } from '../storage/tape/cartridge-contents.js';
import { clientName, readBpConf } from '../config/bp-conf.js';
import { nbemm } from '../protocol/nbemm.js';
import { OpenbpError } from '../protocol/errors.js';
import { checkMediaId } from '../master/nbemm/media-store.js';

/** -mcontents / -mheader: mounts the volume and reads its media header (and backup headers). */
async function mediaContents(ctx: CommandContext, mediaId: string, headerOnly: boolean) {
  const { volume } = await lookUpVolume(ctx.home, mediaId);
  const mount = await mountVolume(ctx.home, volume, { write: false });
  let contents;
  try {
    contents = await readCartridgeContents(mount.handle, mediaId);
  } finally {
    await mount.release();
  }
  const h = contents.mediaHeader;
  if (headerOnly) return { status: 0, stdout: `${mediaHeaderLine(h)}\n`, json: { header: h } };
  const files = contents.fragments.map((f) => ({
    fileNumber: f.fileNumber, backupid: f.backupid, backupTime: parseBackupId(f.backupid)?.ctime ?? f.written, expiration: f.expiration,
    retentionLevel: f.retentionLevel, copy: f.copy, fragment: f.fragment, blockSize: f.blockSize,
  }));
  return { status: 0, stdout: mcontentsReport(h, files), json: { header: h, files, end: contents.end } };
}

export async function runBpmedialist(ctx: CommandContext, opts: ParsedOptions) {
  const modes = ['mlist', 'mcontents', 'summary', 'count', 'mheader'].filter((k) => opts[k] === true);
  if (modes.length > 1) throw new OpenbpError('INVALID_PARAMETER', 'give one report mode', { hint: 'see bpmedialist --help' });
  const mode = modes[0] ?? 'mlist';
  if (mode !== 'mlist' && mode !== 'mcontents' && mode !== 'mheader') throw new OpenbpError('INVALID_PARAMETER', `-${mode} is not available in openbp yet`);
  const idArg = opts.media ?? opts.ev;
  const mediaId = typeof idArg === 'string' ? checkMediaId(idArg) : undefined;
  const host = clientName(readBpConf(ctx.home));
  if (mode === 'mcontents' || mode === 'mheader') {
    if (mediaId === undefined) throw new OpenbpError('INVALID_PARAMETER', `-${mode} needs -m media_id`);
    return mediaContents(ctx, mediaId, mode === 'mheader');
  }
  const { volumes, pools } = await callDaemon(ctx.home, nbemm.listVolumes, {
    ...(mediaId ? { mediaId } : {}),
    ...(typeof opts.pool === 'string' ? { pool: opts.pool } : {}),
  });
  // Without -m, the media database holds the volumes NetBackup has assigned, or put a state on.
  const vols = volumes.filter((v) => mediaId !== undefined || v.assigned !== 0 || v.status !== 0)
    .filter((v) => typeof opts.rl !== 'number' || v.retentionLevel === opts.rl);
  if (vols.length === 0) throw new OpenbpError('NO_IMAGES_MATCH', 'no media in the media database match');
  const text = opts.raw === true ? vols.map((v) => `${mlistRaw(v)}\n`).join('') : opts.long === true ? mlistLongReport(host, vols, pools) : mlistUserReport(host, vols);
  return { status: 0, stdout: text, json: { volumes: vols } };
}

export const command = defineCommand({
  name: 'bpmedialist',
  summary: 'report media status and contents',
  options: [
    { flag: '-mlist', key: 'mlist', kind: 'flag', help: 'media list (the default)' },
    { flag: '-mcontents', key: 'mcontents', kind: 'flag', help: 'images on a volume (-m), read from its headers' },
    { flag: '-summary', key: 'summary', kind: 'flag', help: 'summary (not yet)' },
    { flag: '-count', key: 'count', kind: 'flag', help: 'count (not yet)' },
    { flag: '-mheader', key: 'mheader', kind: 'flag', help: 'the media header of a volume (-m), read from the cartridge' },
    { flag: '-U', key: 'user', kind: 'flag', help: 'user form, three lines per volume (the default)' },
    { flag: '-l', key: 'raw', kind: 'flag', help: 'raw form, one line per volume' },
    { flag: '-L', key: 'long', kind: 'flag', help: 'long form, key = value' },
    { flag: '-m', key: 'media', kind: 'string', arg: 'media_id', help: 'one volume' },
    { flag: '-ev', key: 'ev', kind: 'string', arg: 'media_id', help: 'same as -m' },
    { flag: '-p', key: 'pool', kind: 'string', arg: 'pool_name', help: 'volumes in a pool' },
    { flag: '-rl', key: 'rl', kind: 'int', arg: 'level', help: 'volumes with this retention level' },
    { flag: '-h', key: 'host', kind: 'string', arg: 'host', help: 'media server (accepted; one server)' },
  ],
  run: (ctx, opts) => runBpmedialist(ctx, opts),
});
