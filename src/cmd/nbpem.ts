// nbpem: the policy execution manager daemon.

import { defineCommand } from '../cli/command.js';
import { serveDaemon } from '../cli/serve-daemon.js';
import { createNbpem } from '../master/nbpem/policy-execution.js';

export const command = defineCommand({
  name: 'nbpem',
  summary: 'openbp policy execution manager daemon (what is due, retries, run history)',
  options: [],
  run: (ctx) => serveDaemon(ctx.home, 'nbpem', createNbpem),
});
