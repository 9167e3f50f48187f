// nbrb: the resource broker daemon.

import { defineCommand } from '../cli/command.js';
import { serveDaemon } from '../cli/serve-daemon.js';
import { createNbrb } from '../master/nbrb/broker.js';

export const command = defineCommand({
  name: 'nbrb',
  summary: 'openbp resource broker daemon (storage units, limits, queueing)',
  options: [],
  run: (ctx) => serveDaemon(ctx.home, 'nbrb', createNbrb),
});
