// nbpem's behaviour: submits due and user-requested backups to nbjm and records how they ended.

import { route } from '../../ipc/rpc-server.js';
import { nbpem } from '../../protocol/nbpem.js';
import { nbjm } from '../../protocol/nbjm.js';
import type { Home } from '../../config/home.js';
import type { LogLine } from '../../config/daemon-log.js';
import type { DaemonService } from '../../cli/serve-daemon.js';
import { callDaemon } from '../../cli/daemon-call.js';
import { RunHistory } from './run-history.js';

export function createNbpem(home: Home, log: LogLine): DaemonService {
  const history = new RunHistory(home);
  return {
    routes: [
      route(nbpem.submitBackup, async (job) => {
        const r = await callDaemon(home, nbjm.submitBackup, job);
        log(`submitted ${job.policy}/${job.schedule} for ${job.client}: job ${r.jobid}`);
        return r;
      }),
      route(nbpem.jobDone, (body) => {
        history.record(body.policy, body.schedule, body.client, body.status, body.ended ?? Math.floor(Date.now() / 1000));
        log(`job ${body.jobid} (${body.policy}/${body.schedule} ${body.client}) ended with status ${body.status}`);
        return {};
      }),
    ],
    close: async () => {},
  };
}
