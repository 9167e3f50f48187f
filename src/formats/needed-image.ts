// The neededimage file bprd writes for a restore: which tape volumes and positions the job reads.
//
// One line per fragment the restore needs, in reading order:
//   <backupid> <copy> <fragment> <media ID> <tape file number> <first data object> <kbytes>
// after a header line naming the format. nbjm reads it to ask nbrb for the volumes (and a drive).

import type { FragmentRecord } from '../protocol/records.js';
import { OpenbpError } from '../protocol/errors.js';

const HEADER = '# openbp neededimage 1';

export interface NeededFragment {
  readonly backupid: string;
  readonly copy: number;
  readonly fragment: number;
  readonly mediaId: string;
  readonly fileNumber: number;
  readonly offset: number;
  readonly kbytes: number;
}

export function encodeNeededImage(backupid: string, fragments: readonly FragmentRecord[]): string {
  const lines = [...fragments]
    .sort((a, b) => a.streamOffset - b.streamOffset || a.fragment - b.fragment)
    .map((f) => `${backupid} ${f.copy} ${f.fragment} ${f.mediaId} ${f.fileNumber} ${f.offset} ${f.kbytes}`);
  return `${HEADER}\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
}

export function parseNeededImage(text: string): NeededFragment[] {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] !== HEADER) throw new OpenbpError('INVALID_PARAMETER', 'not an openbp neededimage file');
  return lines.slice(1).map((l, i) => {
    const f = l.split(' ');
    const n = f.slice(1, 3).concat(f.slice(4)).map(Number);
    if (f.length !== 7 || n.some((x) => !Number.isInteger(x))) throw new OpenbpError('INVALID_PARAMETER', `neededimage line ${i + 2} is malformed`);
    return { backupid: f[0]!, copy: n[0]!, fragment: n[1]!, mediaId: f[3]!, fileNumber: n[2]!, offset: n[3]!, kbytes: n[4]! };
  });
}

/** The volumes a neededimage names, in reading order, each once. */
export function neededMedia(entries: readonly NeededFragment[]): string[] {
  return [...new Set(entries.map((e) => e.mediaId))];
}
