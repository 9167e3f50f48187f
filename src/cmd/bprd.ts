// bprd: the request daemon (user backups, restores); with -restore_child FILE, one restore that reads tape.

import { defineCommand } from '../cli/command.js';
import { serveDaemon } from '../cli/serve-daemon.js';
import { createBprd } from '../master/bprd/requests.js';
import { runRestoreChild } from '../master/bprd/restore-child.js';
import { openProcessLog } from '../config/daemon-log.js';

export const command = defineCommand({
  name: 'bprd',
  summary: 'openbp request daemon (user backups and restores)',
  options: [
    {
      flag: '-restore_child',
      key: 'restoreChild',
      kind: 'string',
      arg: 'FILE',
      help: 'run as the restore child bprd starts for a restore that reads tape (FILE: its request); not for use by hand',
    },
  ],
  run: async (ctx, opts) => {
    if (typeof opts.restoreChild !== 'string') return serveDaemon(ctx.home, 'bprd', createBprd);
    const status = await runRestoreChild(ctx.home, opts.restoreChild, (reply) => process.stdout.write(`${JSON.stringify(reply)}\n`), openProcessLog(ctx.home, 'bprd'));
    return { status };
  },
});
