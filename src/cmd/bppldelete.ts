// bppldelete: delete a policy.

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { checkName } from '../cli/policy-edit.js';
import { bpdbm } from '../protocol/bpdbm.js';
import { OpenbpError } from '../protocol/errors.js';

export const command = defineCommand({
  name: 'bppldelete',
  summary: 'delete a backup policy',
  args: '<policy>',
  options: [{ flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' }],
  epilog: 'Exit status: 0; 230 when the policy does not exist.',
  async run(ctx, _opts, args) {
    if (args.length !== 1) throw new OpenbpError('INVALID_PARAMETER', 'give one policy name');
    const name = checkName(args[0], 'policy');
    await callDaemon(ctx.home, bpdbm.deletePolicy, { name });
    return { status: 0 };
  },
});
