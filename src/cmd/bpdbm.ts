// bpdbm: the catalogue daemon (image headers, .f file lists, policies).

import { defineCommand } from '../cli/command.js';
import { serveDaemon } from '../cli/serve-daemon.js';
import { createBpdbm, ensureDefaultPolicy } from '../master/bpdbm/routes.js';
import { clientName, readBpConf } from '../config/bp-conf.js';
import { DEFAULT_STU_LABEL } from '../master/nbemm/storage-units.js';

export const command = defineCommand({
  name: 'bpdbm',
  summary: 'openbp catalogue daemon (images, file lists, policies)',
  options: [],
  run: (ctx) =>
    serveDaemon(ctx.home, 'bpdbm', (home, log) => {
      ensureDefaultPolicy(home, clientName(readBpConf(home)), DEFAULT_STU_LABEL);
      return createBpdbm(home, log);
    }),
});
