// NetBackup rename files for bprestore -R: lines "change /from to /to".

import fs from 'node:fs';
import { bytePathFromBuffer, normalizeAbsolute, type BytePath } from '../protocol/byte-path.js';
import { OpenbpError } from '../protocol/errors.js';

/** Parses a rename file (raw bytes). The first " to " after the FROM path separates the two paths. */
export function parseRenameFile(data: Buffer): Array<[BytePath, BytePath]> {
  const out: Array<[BytePath, BytePath]> = [];
  const lines = bytePathFromBuffer(data).split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = /^change (\/.*?) to (\/.*)$/.exec(line);
    if (!m) throw new OpenbpError('INVALID_PARAMETER', `rename file line ${i + 1}: expected "change /from to /to"`);
    const from = m[1]!;
    const to = m[2]!;
    if (from.split('/').includes('..') || to.split('/').includes('..')) {
      throw new OpenbpError('INVALID_PARAMETER', `rename file line ${i + 1}: '..' is not allowed`);
    }
    out.push([normalizeAbsolute(from), normalizeAbsolute(to)]);
  });
  return out;
}

export function readRenameFile(file: string): Array<[BytePath, BytePath]> {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    throw new OpenbpError('INVALID_PARAMETER', `cannot read rename file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseRenameFile(data);
}
