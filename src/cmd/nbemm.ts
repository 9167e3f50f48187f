// nbemm: the media manager database daemon (storage units, later media and drives).

import { defineCommand } from '../cli/command.js';
import { serveDaemon } from '../cli/serve-daemon.js';
import { createNbemm } from '../master/nbemm/storage-units.js';

export const command = defineCommand({
  name: 'nbemm',
  summary: 'openbp Enterprise Media Manager daemon (storage units, media, devices)',
  options: [],
  run: (ctx) => serveDaemon(ctx.home, 'nbemm', createNbemm),
});
