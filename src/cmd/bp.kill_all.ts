// bp.kill_all: stop the daemons and any job processes of this home.

import { defineCommand } from '../cli/command.js';
import { stopAll } from '../cli/stop-all.js';

export const command = defineCommand({
  name: 'bp.kill_all',
  summary: 'stop the openbp daemons and running job processes',
  options: [],
  async run(ctx) {
    const stopped = await stopAll(ctx.home);
    const lines = stopped.map((p) => `Killing ${p.name} (pid ${p.pid})...`);
    return { status: 0, stdout: `${lines.length ? lines.join('\n') : 'No openbp processes are running'}\n`, json: { stopped } };
  },
});
