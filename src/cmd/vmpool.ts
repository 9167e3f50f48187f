// vmpool: add and list volume pools.

import { defineCommand, type CommandContext, type ParsedOptions } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { vmpoolList } from '../cli/reports/media.js';
import { nbemm } from '../protocol/nbemm.js';
import { OpenbpError } from '../protocol/errors.js';

export async function runVmpool(ctx: CommandContext, opts: ParsedOptions, args: string[]) {
  if (typeof opts.add === 'string') {
    const pool = await callDaemon(ctx.home, nbemm.addPool, { name: opts.add, ...(args.length ? { description: args.join(' ') } : {}) });
    return { status: 0, json: pool };
  }
  if (opts.list === true || opts.listAll === true) {
    const { pools } = await callDaemon(ctx.home, nbemm.listPools, {});
    return { status: 0, stdout: vmpoolList(pools), json: { pools } };
  }
  throw new OpenbpError('INVALID_PARAMETER', 'give -add pool_name or -list', { hint: 'see vmpool --help' });
}

export const command = defineCommand({
  name: 'vmpool',
  summary: 'add and list volume pools',
  args: '[description...]',
  options: [
    { flag: '-add', key: 'add', kind: 'string', arg: 'pool_name', help: 'add a pool (the remaining words are its description)' },
    { flag: '-list', key: 'list', kind: 'flag', help: 'list the pools' },
    { flag: '-listall', key: 'listAll', kind: 'flag', help: 'same as -list' },
  ],
  run: (ctx, opts, args) => runVmpool(ctx, opts, args),
});
