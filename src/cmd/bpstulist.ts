// bpstulist: list storage units.

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { nbemm } from '../protocol/nbemm.js';
import { stuHuman, stuRawLine } from '../cli/reports/storage-units.js';

export const command = defineCommand({
  name: 'bpstulist',
  summary: 'list storage units',
  options: [
    { flag: '-label', key: 'label', kind: 'string', arg: 'storage_unit_label', help: 'only this storage unit' },
    { flag: '-U', key: 'user', kind: 'flag', help: 'user-readable form' },
    { flag: '-L', key: 'long', kind: 'flag', help: 'long form (same as -U)' },
    { flag: '-l', key: 'raw', kind: 'flag', help: 'raw one-line form (the default)' },
    { flag: '-g', key: 'groups', kind: 'flag', help: 'storage unit groups (none in openbp yet)' },
  ],
  async run(ctx, opts) {
    const { units } = await callDaemon(ctx.home, nbemm.listStorageUnits, typeof opts.label === 'string' ? { label: opts.label } : {});
    const human = opts.user === true || opts.long === true;
    const text = human ? units.map((u) => `\n${stuHuman(u)}\n`).join('') : units.map((u) => `${stuRawLine(u)}\n`).join('');
    return { status: 0, stdout: text, json: { units } };
  },
});
