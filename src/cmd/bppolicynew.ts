// bppolicynew: create a policy (Standard, active, no clients, selections or schedules), or copy one with -sameas.

import { defineCommand } from '../cli/command.js';
import { checkName, loadPolicy, newPolicy, savePolicy } from '../cli/policy-edit.js';
import { OpenbpError } from '../protocol/errors.js';

export const command = defineCommand({
  name: 'bppolicynew',
  summary: 'create a backup policy',
  args: '<policy>',
  options: [
    { flag: '-sameas', key: 'sameas', kind: 'string', arg: 'template_policy', help: 'copy the attributes, clients, selections and schedules of this policy' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'Exit status: 0; 133 when the policy already exists; 230 when the -sameas policy does not; 20 for a bad name.',
  async run(ctx, opts, args) {
    if (args.length !== 1) throw new OpenbpError('INVALID_PARAMETER', 'give one policy name');
    const name = checkName(args[0], 'policy');
    const now = Math.floor(Date.now() / 1000);
    const policy = opts.sameas !== undefined ? { ...(await loadPolicy(ctx.home, String(opts.sameas))), name, created: now } : newPolicy(name, now);
    await savePolicy(ctx.home, policy, true);
    return { status: 0, json: { policy } };
  },
});
