// vmchange: change a volume's pool (-p pool_number | -pn pool_name) in the volume database.

import { defineCommand, type CommandContext, type ParsedOptions } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { nbemm } from '../protocol/nbemm.js';
import { OpenbpError } from '../protocol/errors.js';
import { checkMediaId } from '../master/nbemm/media-store.js';

const bad = (msg: string) => new OpenbpError('INVALID_PARAMETER', msg, { hint: 'see vmchange --help' });

export async function runVmchange(ctx: CommandContext, opts: ParsedOptions) {
  if (typeof opts.media !== 'string') throw bad('-m media_id is required');
  const mediaId = checkMediaId(opts.media);
  if (typeof opts.poolNumber !== 'number' && typeof opts.poolName !== 'string') throw bad('give -p pool_number or -pn pool_name');
  const v = await callDaemon(ctx.home, nbemm.changeVolume, {
    mediaId,
    ...(typeof opts.poolNumber === 'number' ? { poolNumber: opts.poolNumber } : {}),
    ...(typeof opts.poolName === 'string' ? { poolName: opts.poolName } : {}),
  });
  return { status: 0, json: v };
}

export const command = defineCommand({
  name: 'vmchange',
  summary: 'change a volume in the volume database (its pool)',
  options: [
    { flag: '-m', key: 'media', kind: 'string', arg: 'media_id', help: 'the volume' },
    { flag: '-p', key: 'poolNumber', kind: 'int', arg: 'pool_number', help: 'move it to this pool number' },
    { flag: '-pn', key: 'poolName', kind: 'string', arg: 'pool_name', help: 'move it to this pool' },
  ],
  run: (ctx, opts) => runVmchange(ctx, opts),
});
