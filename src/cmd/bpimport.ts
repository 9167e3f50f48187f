// bpimport: phase 1 (-create_db_info -id MEDIA) reads a cartridge's headers into import candidates; phase 2
// (-backupid ID, or -id MEDIA / -client / -policy with -s/-e) rebuilds their catalogue entries from the tape.

import { defineCommand, type CommandContext, type ParsedOptions } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { optionalNbDate } from '../cli/dates.js';
import { importPhase1 } from '../cli/import/candidates-from-tape.js';
import { importImage, mountThroughNbemm, noteImported } from '../cli/import/import-image.js';
import { finishImportJob, importJobLines, startImportJob } from '../cli/import/import-job.js';
import { importPreview, importPreviewMedia } from '../cli/reports/import.js';
import { clientName, readBpConf } from '../config/bp-conf.js';
import { checkMediaId } from '../master/nbemm/media-store.js';
import { bpdbm } from '../protocol/bpdbm.js';
import { OpenbpError, toOpenbpError } from '../protocol/errors.js';
import type { ImageRecord } from '../protocol/records.js';

const bad = (m: string) => new OpenbpError('INVALID_PARAMETER', m, { hint: 'see bpimport --help' });

async function phase1(ctx: CommandContext, opts: ParsedOptions) {
  if (typeof opts.id !== 'string') throw bad('-create_db_info needs -id media_id');
  const mediaId = checkMediaId(opts.id);
  const host = typeof opts.server === 'string' ? opts.server : clientName(readBpConf(ctx.home));
  const r = await importPhase1(ctx.home, mediaId, host);
  const lines = [
    `IMPORT phase 1: media ${mediaId}: ${r.images.length} image(s) found${r.end === 'full' ? ' (cartridge full: images may continue on other media)' : ''}`,
    ...r.recorded.map((id) => `  ${id}: ready to import`),
    ...r.known.map((id) => `  ${id}: already in the catalogue, skipped`),
  ];
  return { status: 0, stdout: `${lines.join('\n')}\n`, json: r };
}

async function phase2(ctx: CommandContext, opts: ParsedOptions) {
  const filter = {
    ...(typeof opts.backupid === 'string' ? { backupid: opts.backupid } : {}),
    ...(typeof opts.id === 'string' ? { mediaId: checkMediaId(opts.id) } : {}),
    ...(typeof opts.client === 'string' ? { client: opts.client } : {}),
    ...(typeof opts.policy === 'string' ? { policy: opts.policy } : {}),
  };
  const since = optionalNbDate(opts.start, '-s');
  const until = optionalNbDate(opts.end, '-e');
  if (Object.keys(filter).length === 0 && since === undefined) throw bad('give -backupid, -id, -client, -policy or -s/-e to select images (phase 1 is -create_db_info -id)');
  const { candidates } = await callDaemon(ctx.home, bpdbm.listImportCandidates, { ...filter, ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) });
  if (candidates.length === 0) throw new OpenbpError('NO_IMAGES_MATCH', 'no import candidates match (run bpimport -create_db_info -id MEDIA_ID first)');
  if (opts.previewMedia === true) return { status: 0, stdout: importPreviewMedia(candidates), json: { candidates } };
  if (opts.preview === true || opts.previewByMedia === true || opts.previewByDate === true) {
    const sorted = opts.previewByMedia === true ? [...candidates].sort((a, b) => (a.fragments[0]?.mediaId ?? '').localeCompare(b.fragments[0]?.mediaId ?? '') || a.backupTime - b.backupTime) : candidates;
    return { status: 0, stdout: importPreview(sorted), json: { candidates: sorted } };
  }
  const mount = mountThroughNbemm(ctx.home);
  const jobid = await startImportJob(ctx.home, candidates);
  const done: ImageRecord[] = [];
  const out: string[] = [];
  const err: string[] = [];
  let lastError: OpenbpError | undefined;
  for (const c of candidates) {
    const media = [...new Set(c.fragments.map((f) => f.mediaId))].join(' ');
    await importJobLines(ctx.home, jobid, [`begin import of ${c.backupid} from ${media}`]);
    if (!c.described) err.push(`${c.backupid}: its backup headers name no policy or schedule: imported as ${c.policy}/${c.schedLabel}`);
    try {
      const r = await importImage(ctx.home, c, mount, jobid);
      await callDaemon(ctx.home, bpdbm.forgetImportCandidate, { backupid: c.backupid });
      done.push(r.image);
      out.push(`Imported ${c.backupid}: ${r.image.numFiles} files, ${r.image.kbytes} KB, ${r.image.fragments.length} fragment(s)`);
      await importJobLines(ctx.home, jobid, [out[out.length - 1]!]);
      for (const s of r.skipped) err.push(`${c.backupid}: ${s}: not catalogued (unsafe path or unsupported entry)`);
    } catch (e) {
      lastError = toOpenbpError(e);
      err.push(`${c.backupid}: import failed: ${lastError.message} (status ${lastError.status})`);
      await importJobLines(ctx.home, jobid, [err[err.length - 1]!]);
    }
  }
  if (done.length > 0) await noteImported(ctx.home, done);
  // All imported: 0. Some: 1 (partially successful). None: the one failure's status, or 191 for several.
  const status = done.length === candidates.length ? 0 : done.length > 0 ? 1 : candidates.length === 1 && lastError ? lastError.status : 191;
  await finishImportJob(ctx.home, jobid, status, done.reduce((s, i) => s + i.kbytes, 0), done.reduce((s, i) => s + i.numFiles, 0));
  return {
    status,
    ...(out.length ? { stdout: `${out.join('\n')}\n` } : {}),
    ...(err.length ? { stderr: `${err.join('\n')}\n` } : {}),
    json: { jobid, imported: done.map((i) => i.backupid), failed: candidates.length - done.length },
  };
}

export async function runBpimport(ctx: CommandContext, opts: ParsedOptions) {
  return opts.createDbInfo === true ? phase1(ctx, opts) : phase2(ctx, opts);
}

export const command = defineCommand({
  name: 'bpimport',
  summary: 'import backup images from tape into the catalogue (phase 1: -create_db_info, phase 2: the images)',
  options: [
    { flag: '-create_db_info', key: 'createDbInfo', kind: 'flag', help: 'phase 1: read the headers of -id media_id and record its images' },
    { flag: '-id', key: 'id', kind: 'string', arg: 'media_id', help: 'phase 1: the cartridge to read; phase 2: images on this cartridge' },
    { flag: '-server', key: 'server', kind: 'string', arg: 'media_server', help: 'media server that reads the cartridge (this host)' },
    { flag: '-backupid', key: 'backupid', kind: 'string', arg: 'backup_id', help: 'phase 2: import this image' },
    { flag: '-client', key: 'client', kind: 'string', arg: 'client', help: 'phase 2: images of this client' },
    { flag: '-policy', key: 'policy', kind: 'string', arg: 'policy', help: 'phase 2: images of this policy' },
    { flag: '-s', key: 'start', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss]', help: 'phase 2: images backed up at or after this date' },
    { flag: '-e', key: 'end', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss]', help: 'phase 2: images backed up at or before this date' },
    { flag: '-p', key: 'preview', kind: 'flag', help: 'preview: list the images phase 2 would import, do not import' },
    { flag: '-PM', key: 'previewByMedia', kind: 'flag', help: 'preview sorted by media ID' },
    { flag: '-PD', key: 'previewByDate', kind: 'flag', help: 'preview sorted by date' },
    { flag: '-pb', key: 'previewMedia', kind: 'flag', help: 'preview: only the media and servers phase 2 would read' },
    { flag: '-L', key: 'log', kind: 'string', arg: 'progress_log', help: 'accepted (progress goes to standard output)' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog:
    'Phase 2 sets each imported image to expire after its retention period from now.\n' +
    'Exit status: 0; 1 some images imported; 20 bad option; 95 unknown media ID; 172 not a NetBackup media header;\n173 unreadable backup header; 176 image incomplete (read its other cartridges first); 190 no candidates match;\n191 no image imported; 92 image not in tar format.',
  run: (ctx, opts) => runBpimport(ctx, opts),
});
