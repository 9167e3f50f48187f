// -L progress_log: NetBackup-style timestamped lines a user can tail.

import fs from 'node:fs';
import { OpenbpError } from '../protocol/errors.js';

function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export class ProgressLog {
  constructor(private readonly file: string | undefined) {
    if (file !== undefined) {
      try {
        fs.appendFileSync(file, '');
      } catch (e) {
        throw new OpenbpError('FILE_OPEN_FAILED', `cannot write progress log ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
  }

  line(text: string): void {
    if (this.file === undefined) return;
    try {
      fs.appendFileSync(this.file, `${stamp()} ${text}\n`);
    } catch {
      /* the job matters more than its log */
    }
  }
}
