// nbjm: the job manager daemon.

import { defineCommand } from '../cli/command.js';
import { serveDaemon } from '../cli/serve-daemon.js';
import { createNbjm } from '../master/nbjm/jobs.js';

export const command = defineCommand({
  name: 'nbjm',
  summary: 'openbp job manager daemon (runs jobs through bpbrm)',
  options: [],
  run: (ctx) => serveDaemon(ctx.home, 'nbjm', createNbjm),
});
