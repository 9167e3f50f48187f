// bpretlevel: list the retention levels and their periods.

import { defineCommand } from '../cli/command.js';
import { OpenbpError } from '../protocol/errors.js';
import { RETENTION_SECONDS, retentionPeriodName } from '../protocol/retention.js';

/** `level period-seconds description`, one line per level (-1 seconds = infinity). */
export function retentionLevelLines(): string[] {
  return RETENTION_SECONDS.map((s, level) => `${String(level).padStart(2)} ${String(s < 0 ? -1 : s).padStart(10)} ${retentionPeriodName(level)}`);
}

export const command = defineCommand({
  name: 'bpretlevel',
  summary: 'list retention levels and their retention periods',
  options: [
    { flag: '-l', key: 'listRaw', kind: 'flag', help: 'list every level: level, period in seconds (-1 = infinity), description' },
    { flag: '-L', key: 'listLong', kind: 'flag', help: 'same as -l' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'The periods are NetBackup\'s defaults; levels 9-24 are infinite.',
  async run(_ctx, opts) {
    if (!opts.listRaw && !opts.listLong) throw new OpenbpError('INVALID_PARAMETER', 'give -l (changing retention periods is not supported)');
    const levels = RETENTION_SECONDS.map((s, level) => ({ level, seconds: s, period: retentionPeriodName(level) }));
    return { status: 0, stdout: retentionLevelLines().join('\n') + '\n', json: { levels } };
  },
});
