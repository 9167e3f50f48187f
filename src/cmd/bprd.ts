// bprd: the request daemon (user backups, restores).

import { defineCommand } from '../cli/command.js';
import { serveDaemon } from '../cli/serve-daemon.js';
import { createBprd } from '../master/bprd/requests.js';

export const command = defineCommand({
  name: 'bprd',
  summary: 'openbp request daemon (user backups and restores)',
  options: [],
  run: (ctx) => serveDaemon(ctx.home, 'bprd', createBprd),
});
