// bperror -S: what a NetBackup status number means (first line), and what to do about it (-r).

import { defineCommand } from '../cli/command.js';
import { formatStatusMessage } from '../cli/reports/bperror.js';
import { OpenbpError } from '../protocol/errors.js';
import { statusEntry } from '../protocol/status.js';

export const command = defineCommand({
  name: 'bperror',
  summary: 'explain a NetBackup status code',
  options: [
    { flag: '-S', key: 'status', kind: 'int', arg: 'status_code', help: 'print the message for this status' },
    { flag: '-statuscode', key: 'statuscode', kind: 'int', arg: 'status_code', help: 'same as -S' },
    { flag: '-r', key: 'recommend', kind: 'flag', help: 'also print the recommended action' },
  ],
  epilog: 'Exit status: 0; 227 when openbp has no entry for the status (stdout then says "unknown status N"); 20 for bad usage.',
  async run(_ctx, opts) {
    const code = opts.status ?? opts.statuscode;
    if (code === undefined) throw new OpenbpError('INVALID_PARAMETER', 'give -S status_code (the error-log reports of bperror are not implemented)');
    if (opts.status !== undefined && opts.statuscode !== undefined && opts.status !== opts.statuscode) {
      throw new OpenbpError('INVALID_PARAMETER', '-S and -statuscode disagree');
    }
    const n = Number(code);
    const entry = statusEntry(n);
    if (!entry) return { status: 227, stdout: `unknown status ${n}\n`, json: { status: n, known: false } };
    return { status: 0, stdout: formatStatusMessage(entry, opts.recommend === true), json: entry };
  },
});
