// bpimagelist's reports: -l raw IMAGE/HISTO/FRAG records (VA17904 order) and the -U user table.

import { fragFieldTokens, imageFieldTokens } from '../../formats/image-header.js';
import { SCHED_TYPES, type ImageRecord } from '../../protocol/records.js';
import { formatNbDate, formatNbDateMinutes } from '../dates.js';

const HISTO = 'HISTO -1 -1 -1 -1 -1 -1 -1 -1 -1 -1';
/** NetBackup's "never expires" time. */
export const INFINITE_EXPIRATION = 2147483647;

/** `bpimagelist -l`: per image one IMAGE line, one HISTO line, one FRAG line per fragment (copy, then fragment order). */
export function formatImagesLong(images: readonly ImageRecord[]): string {
  const lines: string[] = [];
  for (const img of images) {
    lines.push(`IMAGE ${imageFieldTokens(img).join(' ')}`);
    lines.push(HISTO);
    const frags = [...img.fragments].sort((a, b) => a.copy - b.copy || a.fragment - b.fragment);
    for (const f of frags) lines.push(`FRAG ${fragFieldTokens(f).join(' ')}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

export const USER_HEADER = [
  'Backed Up         Expires       Files       KB  C  Sched Type   Policy',
  '----------------  ---------- -------- --------  -  ------------ ------------',
];

function expires(epoch: number): string {
  return epoch >= INFINITE_EXPIRATION ? 'INFINITY' : formatNbDate(epoch);
}

/** `bpimagelist -U`: the header, its rule, one row per image. */
export function formatImagesUser(images: readonly ImageRecord[]): string {
  const rows = images.map((img) =>
    [
      formatNbDateMinutes(img.backupTime).padEnd(16),
      '  ',
      expires(img.expiration).padEnd(10),
      ' ',
      String(img.numFiles).padStart(8),
      ' ',
      String(img.kbytes).padStart(8),
      '  ',
      img.compression ? 'Y' : 'N',
      '  ',
      SCHED_TYPES[img.schedType].name.slice(0, 12).padEnd(12),
      ' ',
      img.policy,
    ].join(''),
  );
  return [...USER_HEADER, ...rows].join('\n') + '\n';
}
