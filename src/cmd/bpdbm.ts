// bpdbm: the catalogue daemon (image headers, .f file lists, policies).

import { defineCommand } from '../cli/command.js';
import { serveDaemon } from '../cli/serve-daemon.js';
import { createBpdbm, ensureDefaultPolicy } from '../master/bpdbm/routes.js';
import { clientName, readBpConf } from '../config/bp-conf.js';
import { DEFAULT_STU_LABEL } from '../master/nbemm/storage-units.js';
import { checkConsistency, formatConsistency } from '../master/bpdbm/consistency.js';

export const command = defineCommand({
  name: 'bpdbm',
  summary: 'openbp catalogue daemon (images, file lists, policies)',
  options: [
    { flag: '-consistency', key: 'consistency', kind: 'flag', optionalValue: /^[0-2]$/, arg: '[0-2]', help: 'check the image catalogue against itself and its disk units, report and exit' },
  ],
  epilog: 'With -consistency: exit 0 when the catalogue is consistent, 220 when it found inconsistencies (one line each on stdout).',
  run: async (ctx, opts) => {
    if (opts.consistency !== undefined) {
      const report = checkConsistency(ctx.home.images, [ctx.home.defaultStu]);
      return { status: report.findings.length === 0 ? 0 : 220, stdout: formatConsistency(report), json: report };
    }
    return serveDaemon(ctx.home, 'bpdbm', (home, log) => {
      ensureDefaultPolicy(home, clientName(readBpConf(home)), DEFAULT_STU_LABEL);
      return createBpdbm(home, log);
    });
  },
});
