// bpjobd: the jobs database daemon behind bpdbjobs.

import { defineCommand } from '../cli/command.js';
import { serveDaemon } from '../cli/serve-daemon.js';
import { createBpjobd } from '../master/bpjobd/jobs.js';

export const command = defineCommand({
  name: 'bpjobd',
  summary: 'openbp jobs database daemon (serves bpdbjobs and job progress)',
  options: [],
  run: (ctx) => serveDaemon(ctx.home, 'bpjobd', createBpjobd),
});
