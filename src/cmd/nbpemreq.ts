// nbpemreq: what nbpem will run and when (-due: runnable now; -predict: everything, with its next start).

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { parseNbDate, formatNbDateTime } from '../cli/dates.js';
import { nbpem } from '../protocol/nbpem.js';
import { OpenbpError } from '../protocol/errors.js';

export const command = defineCommand({
  name: 'nbpemreq',
  summary: 'show the scheduled backups that are due and when they will run',
  options: [
    { flag: '-due', key: 'due', kind: 'flag', help: 'only the backups that may start now' },
    { flag: '-predict', key: 'predict', kind: 'flag', help: 'every scheduled backup with its due and start times' },
    { flag: '-date', key: 'date', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss]', help: 'evaluate at this time instead of now (-predict)' },
  ],
  async run(ctx, opts) {
    if (opts.due !== true && opts.predict !== true) throw new OpenbpError('INVALID_PARAMETER', 'give -due or -predict');
    const at = opts.date !== undefined ? parseNbDate(String(opts.date), '-date') : undefined;
    const { now, entries } = await callDaemon(ctx.home, nbpem.plan, at !== undefined ? { at } : {});
    const shown = opts.due === true ? entries.filter((e) => e.runnable) : entries;
    const when = (t: number | undefined) => (t === undefined ? 'never (no window)' : t <= now ? 'now' : formatNbDateTime(t));
    const rows = [['Policy', 'Schedule', 'Type', 'Client', 'Due', 'Starts', 'State']];
    for (const e of shown) {
      const due = e.dueAt < 0 ? 'never (no run day)' : e.dueAt === 0 ? 'now' : when(e.dueAt);
      rows.push([e.policy, e.schedule, e.schedType, e.client, due, e.dueAt < 0 ? 'never' : when(e.runAt), e.running ? 'running' : e.runnable ? 'due' : 'waiting']);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const text = rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
    return { status: 0, stdout: shown.length ? `${text}\n` : '', json: { now, entries: shown } };
  },
});
