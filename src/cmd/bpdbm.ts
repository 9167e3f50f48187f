// bpdbm: the catalogue daemon (image headers, .f file lists, policies).

import { defineCommand } from '../cli/command.js';
import { serveDaemon } from '../cli/serve-daemon.js';
import { createBpdbm, ensureDefaultPolicy } from '../master/bpdbm/routes.js';
import { clientName, readBpConf } from '../config/bp-conf.js';
import { DEFAULT_STU_LABEL } from '../master/nbemm/storage-units.js';
import { checkConsistency, formatConsistency } from '../master/bpdbm/consistency.js';
import { callDaemon } from '../cli/daemon-call.js';
import { bpdbm } from '../protocol/bpdbm.js';
import { bpjobd } from '../protocol/bpjobd.js';
import { OpenbpError } from '../protocol/errors.js';
import { removeStrayFragment } from '../storage/disk/delete-fragments.js';

export const command = defineCommand({
  name: 'bpdbm',
  summary: 'openbp catalogue daemon (images, file lists, policies)',
  options: [
    { flag: '-consistency', key: 'consistency', kind: 'flag', optionalValue: /^[0-2]$/, arg: '[0-2]', help: 'check the image catalogue against itself and its disk units, report and exit' },
    { flag: '-repair', key: 'repair', kind: 'flag', help: 'with -consistency: repair what it finds (through the running bpdbm; refused while jobs are active)' },
  ],
  epilog:
    'With -consistency: exit 0 when the catalogue is consistent, 220 when it found inconsistencies (one line each on stdout).\n' +
    'With -consistency -repair: one line per repair, then the check run again (exit 0 when it is now consistent).',
  run: async (ctx, opts) => {
    if (opts.repair && opts.consistency === undefined) throw new OpenbpError('INVALID_PARAMETER', '-repair needs -consistency');
    if (opts.consistency !== undefined && opts.repair) {
      const active = (await callDaemon(ctx.home, bpjobd.list, { activeOnly: true })).jobs;
      if (active.length > 0) throw new OpenbpError('DATABASE_ERROR', `jobs are active (${active.map((j) => j.jobid).join(' ')}); run the repair when no job is active`);
      const units = [ctx.home.defaultStu];
      const { actions, stray } = await callDaemon(ctx.home, bpdbm.repairCatalogue, { units });
      for (const file of stray) {
        removeStrayFragment(file);
        actions.push(`removed ${file}: no image lists it`);
      }
      const report = checkConsistency(ctx.home.images, units);
      const stdout = actions.map((a) => `${a}\n`).join('') + formatConsistency(report);
      return { status: report.findings.length === 0 ? 0 : 220, stdout, json: { actions, report } };
    }
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
