// Paths named by a user: arguments and -f list files, made absolute, as byte paths.

import fs from 'node:fs';
import path from 'node:path';
import { bytePathFromText, bytePathFromBuffer, normalizeAbsolute, type BytePath } from '../protocol/byte-path.js';
import { OpenbpError } from '../protocol/errors.js';

/** Arguments are UTF-8 text; list files are raw bytes, one path per line (so any name without a newline fits). */
export function readSelections(args: readonly string[], listFile: string | undefined, cwd = process.cwd()): BytePath[] {
  const out: BytePath[] = [];
  const cwdBytes = bytePathFromText(cwd);
  const absolute = (p: string) => normalizeAbsolute(p.startsWith('/') ? p : `${cwdBytes}/${p}`);
  for (const a of args) out.push(absolute(bytePathFromText(a)));
  if (listFile !== undefined) {
    let data: Buffer;
    try {
      data = fs.readFileSync(path.resolve(cwd, listFile));
    } catch (e) {
      throw new OpenbpError('FILELIST_READ_FAILED', `cannot read list file ${listFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    for (const line of bytePathFromBuffer(data).split('\n')) {
      const l = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (l.trim() !== '') out.push(absolute(l));
    }
  }
  return out;
}
