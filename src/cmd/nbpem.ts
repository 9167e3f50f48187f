// nbpem: the policy execution manager daemon; `nbpem -once` (for cron) runs what is due now and exits.

import { defineCommand } from '../cli/command.js';
import { serveDaemon } from '../cli/serve-daemon.js';
import { callDaemon } from '../cli/daemon-call.js';
import { createNbpem } from '../master/nbpem/policy-execution.js';
import { nbpem } from '../protocol/nbpem.js';

export const command = defineCommand({
  name: 'nbpem',
  summary: 'openbp policy execution manager daemon (what is due, run history)',
  options: [{ flag: '-once', key: 'once', kind: 'flag', help: 'submit the backups due now through the running nbpem (started if needed), print their job ids, exit' }],
  epilog: 'A crontab line for sites that prefer cron to the daemon timer (NBPEM_INTERVAL = 0 in bp.conf turns the timer off):\n  0 2 * * * OPENBP_HOME=/var/lib/openbp /opt/openbp/bin/nbpem -once',
  async run(ctx, opts) {
    if (opts.once === true) {
      const { jobids } = await callDaemon(ctx.home, nbpem.runDue, {});
      return { status: 0, stdout: jobids.map((j) => `${j}\n`).join(''), json: { jobids } };
    }
    return serveDaemon(ctx.home, 'nbpem', createNbpem);
  },
});
