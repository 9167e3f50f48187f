// bpimagelist: list images in the catalogue (-l raw records, -U user table).

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { parseNbDate, parseNbEndDate } from '../cli/dates.js';
import { formatImagesLong, formatImagesUser } from '../cli/reports/bpimagelist.js';
import { bpdbm } from '../protocol/bpdbm.js';
import { OpenbpError } from '../protocol/errors.js';
import { SCHED_TYPES, type SchedType } from '../protocol/records.js';
import { statusMessage } from '../protocol/status.js';
import { nowSeconds } from '../config/clock.js';

/** -st accepts the token (FULL, INCR, CINC, UBAK, UARC) or its number. */
function schedTypeOption(v: string): SchedType {
  const up = v.toUpperCase();
  for (const [k, t] of Object.entries(SCHED_TYPES)) if (k === up || String(t.code) === v) return k as SchedType;
  throw new OpenbpError('INVALID_PARAMETER', `-st: unknown schedule type '${v}' (FULL, INCR, CINC, UBAK, UARC)`);
}

export const command = defineCommand({
  name: 'bpimagelist',
  summary: 'list backup images in the catalogue',
  options: [
    { flag: '-l', key: 'long', kind: 'flag', help: 'raw IMAGE/HISTO/FRAG records, for scripts' },
    { flag: '-U', key: 'user', kind: 'flag', help: 'user report (the default)' },
    { flag: '-client', key: 'client', kind: 'string', arg: 'client', help: 'only images of this client' },
    { flag: '-backupid', key: 'backupid', kind: 'string', arg: 'backup_id', help: 'only this image (dates are then not limited)' },
    { flag: '-policy', key: 'policy', kind: 'string', arg: 'policy', help: 'only images of this policy' },
    { flag: '-sl', key: 'schedLabel', kind: 'string', arg: 'sched_label', help: 'only images of this schedule' },
    { flag: '-st', key: 'schedType', kind: 'string', arg: 'sched_type', help: 'only images of this schedule type (FULL, INCR, CINC, UBAK, UARC)' },
    { flag: '-d', key: 'start', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss]', help: 'images backed up at or after this date (default: 24 hours ago)' },
    { flag: '-e', key: 'end', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss]', help: 'images backed up at or before this date (default: now)' },
    { flag: '-hoursago', key: 'hoursago', kind: 'int', arg: 'hours', help: 'images backed up in the last N hours' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'Exit status: 0, 227 when no image matches ("no entity was found").',
  async run(ctx, opts) {
    if (opts.long && opts.user) throw new OpenbpError('INVALID_PARAMETER', '-l and -U are exclusive');
    const now = nowSeconds();
    let since: number | undefined;
    if (opts.hoursago !== undefined) {
      if (opts.start !== undefined) throw new OpenbpError('INVALID_PARAMETER', '-hoursago and -d are exclusive');
      since = now - Number(opts.hoursago) * 3600;
    } else if (opts.start !== undefined) since = parseNbDate(String(opts.start), '-d');
    else if (opts.backupid === undefined) since = now - 24 * 3600;
    const until = opts.end !== undefined ? parseNbEndDate(String(opts.end), '-e') : undefined;
    const st = opts.schedType !== undefined ? schedTypeOption(String(opts.schedType)) : undefined;
    const { images: all } = await callDaemon(ctx.home, bpdbm.listImages, {
      ...(opts.client !== undefined ? { client: String(opts.client) } : {}),
      ...(opts.backupid !== undefined ? { backupid: String(opts.backupid) } : {}),
      ...(opts.policy !== undefined ? { policy: String(opts.policy) } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
    });
    const images = all.filter((i) => (opts.schedLabel === undefined || i.schedLabel === opts.schedLabel) && (st === undefined || i.schedType === st));
    if (images.length === 0) return { status: 227, stderr: statusMessage(227), json: { images: [] } };
    return { status: 0, stdout: opts.long ? formatImagesLong(images) : formatImagesUser(images), json: { images } };
  },
});
