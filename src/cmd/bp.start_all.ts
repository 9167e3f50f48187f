// bp.start_all: start every master daemon that is not running.

import { defineCommand } from '../cli/command.js';
import { ensureDaemons } from '../cli/ensure-daemons.js';
import { DAEMONS } from '../protocol/message.js';

export const command = defineCommand({
  name: 'bp.start_all',
  summary: 'start the openbp daemons',
  options: [],
  async run(ctx) {
    const started = await ensureDaemons(ctx.home);
    const lines = DAEMONS.map((d) => (started.includes(d) ? `Starting ${d}...` : `${d} is already running`));
    return { status: 0, stdout: `${lines.join('\n')}\n`, json: { started } };
  },
});
