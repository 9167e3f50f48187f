// vmquery: query the volume database (long form, -w wide, -b brief).

import { defineCommand, type CommandContext, type ParsedOptions } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { vmqueryBrief, vmqueryLongList, vmqueryWide } from '../cli/reports/media.js';
import { clientName, readBpConf } from '../config/bp-conf.js';
import { nbemm } from '../protocol/nbemm.js';
import { OpenbpError } from '../protocol/errors.js';
import { checkMediaId } from '../master/nbemm/media-store.js';

export async function runVmquery(ctx: CommandContext, opts: ParsedOptions) {
  const q = {
    ...(typeof opts.media === 'string' ? { mediaId: checkMediaId(opts.media) } : {}),
    ...(typeof opts.pool === 'string' ? { pool: opts.pool } : {}),
    ...(typeof opts.rn === 'number' ? { robotNumber: opts.rn } : {}),
  };
  if (opts.all !== true && opts.brief !== true && opts.wide !== true && Object.keys(q).length === 0) throw new OpenbpError('INVALID_PARAMETER', 'give -a, -m media_id, -pn pool or -rn robot_number', { hint: 'see vmquery --help' });
  const { volumes, pools } = await callDaemon(ctx.home, nbemm.listVolumes, q);
  const host = clientName(readBpConf(ctx.home));
  const text = opts.brief === true ? vmqueryBrief(volumes) : opts.wide === true ? vmqueryWide(volumes, pools, host) : vmqueryLongList(volumes, pools, host);
  return { status: 0, stdout: text, json: { volumes } };
}

export const command = defineCommand({
  name: 'vmquery',
  summary: 'query the volume database',
  options: [
    { flag: '-a', key: 'all', kind: 'flag', help: 'all volumes' },
    { flag: '-m', key: 'media', kind: 'string', arg: 'media_id', help: 'one volume' },
    { flag: '-pn', key: 'pool', kind: 'string', arg: 'pool_name', help: 'volumes in a pool' },
    { flag: '-rn', key: 'rn', kind: 'int', arg: 'robot_number', help: 'volumes in a robot' },
    { flag: '-w', key: 'wide', kind: 'flag', help: 'wide form, one line per volume' },
    { flag: '-b', key: 'brief', kind: 'flag', help: 'brief form' },
  ],
  run: (ctx, opts) => runVmquery(ctx, opts),
});
