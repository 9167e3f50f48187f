// bpmedia: freeze, unfreeze, suspend or unsuspend a volume.

import { defineCommand, type CommandContext, type ParsedOptions } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { nbemm } from '../protocol/nbemm.js';
import { OpenbpError } from '../protocol/errors.js';
import { checkMediaId, MEDIA_STATUS } from '../master/nbemm/media-store.js';

const ACTIONS = {
  freeze: { setStatus: MEDIA_STATUS.FROZEN },
  unfreeze: { clearStatus: MEDIA_STATUS.FROZEN },
  suspend: { setStatus: MEDIA_STATUS.SUSPENDED },
  unsuspend: { clearStatus: MEDIA_STATUS.SUSPENDED },
} as const;

export async function runBpmedia(ctx: CommandContext, opts: ParsedOptions) {
  const chosen = (Object.keys(ACTIONS) as (keyof typeof ACTIONS)[]).filter((k) => opts[k] === true);
  if (chosen.length !== 1) throw new OpenbpError('INVALID_PARAMETER', 'give exactly one of -freeze, -unfreeze, -suspend, -unsuspend', { hint: 'see bpmedia --help' });
  if (typeof opts.media !== 'string') throw new OpenbpError('INVALID_PARAMETER', '-m media_id is required', { hint: 'see bpmedia --help' });
  const v = await callDaemon(ctx.home, nbemm.changeVolume, { mediaId: checkMediaId(opts.media), ...ACTIONS[chosen[0]!] });
  return { status: 0, json: v };
}

export const command = defineCommand({
  name: 'bpmedia',
  summary: 'freeze, unfreeze, suspend or unsuspend media',
  options: [
    { flag: '-freeze', key: 'freeze', kind: 'flag', help: 'never write the volume again (keeps its images)' },
    { flag: '-unfreeze', key: 'unfreeze', kind: 'flag', help: 'clear FROZEN' },
    { flag: '-suspend', key: 'suspend', kind: 'flag', help: 'do not append to the volume until its images expire' },
    { flag: '-unsuspend', key: 'unsuspend', kind: 'flag', help: 'clear SUSPENDED' },
    { flag: '-m', key: 'media', kind: 'string', arg: 'media_id', help: 'the volume' },
    { flag: '-h', key: 'host', kind: 'string', arg: 'host', help: 'media server (accepted; one server)' },
  ],
  run: (ctx, opts) => runBpmedia(ctx, opts),
});
