// bpimport previews (-p, -PM, -PD, -pb): the images phase 2 would import, and from which media.

import type { ImportCandidate } from '../../protocol/records.js';
import { formatNbDateMinutes } from '../dates.js';

function media(c: ImportCandidate): string {
  return [...new Set(c.fragments.map((f) => f.mediaId))].join(',');
}

export const PREVIEW_HEADER = [
  'Backed Up         Policy           Schedule         Backup ID                          Host             Media ID',
  '----------------  ---------------  ---------------  ---------------------------------  ---------------  --------',
];

/** -p / -PM / -PD: one line per image (date, policy, schedule, backup ID, host, media IDs). */
export function importPreview(cands: readonly ImportCandidate[]): string {
  const rows = cands.map((c) =>
    [formatNbDateMinutes(c.backupTime), c.policy.padEnd(15), c.schedLabel.padEnd(15), c.backupid.padEnd(33), (c.fragments[0]?.host ?? '').padEnd(15), media(c)].join('  ').trimEnd(),
  );
  return `${[...PREVIEW_HEADER, ...rows].join('\n')}\n`;
}

/** -pb: the media IDs and servers phase 2 would read. */
export function importPreviewMedia(cands: readonly ImportCandidate[]): string {
  const seen = new Map<string, string>();
  for (const c of cands) for (const f of c.fragments) if (!seen.has(f.mediaId)) seen.set(f.mediaId, f.host);
  return [...seen].map(([id, host]) => `Media ID ${id} on server ${host}\n`).join('');
}
