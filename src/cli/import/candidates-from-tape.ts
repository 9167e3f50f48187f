// bpimport phase 1: read a cartridge's headers and record the images on it as import candidates in bpdbm.

import { nowSeconds } from '../../config/clock.js';
import type { Home } from '../../config/home.js';
import { parseBackupId } from '../../formats/catalog-paths.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { OpenbpError } from '../../protocol/errors.js';
import { SCHED_TYPES, type ImportCandidate, type SchedType } from '../../protocol/records.js';
import type { BackupHeader } from '../../storage/tape/backup-header.js';
import { readCartridgeContents, type CartridgeContents } from '../../storage/tape/cartridge-contents.js';
import { callDaemon } from '../daemon-call.js';
import { lookUpVolume, mountVolume } from '../mount-volume.js';

/** Policy and schedule names of an image whose backup headers do not describe it (written without them). */
export const UNDESCRIBED = 'IMPORTED';

function schedTypeOf(code: number): SchedType {
  return (Object.keys(SCHED_TYPES) as SchedType[]).find((k) => SCHED_TYPES[k].code === code) ?? 'FULL';
}

/** Groups the BHs of a cartridge by backup ID (copy 1 and other copies alike: one candidate per backup ID and copy 1 first). */
export function candidatesOf(mediaId: string, contents: CartridgeContents, host: string, now: number): ImportCandidate[] {
  const byId = new Map<string, BackupHeader[]>();
  for (const bh of contents.fragments) byId.set(bh.backupid, [...(byId.get(bh.backupid) ?? []), bh]);
  const out: ImportCandidate[] = [];
  for (const [backupid, all] of byId) {
    const copy = Math.min(...all.map((b) => b.copy));
    const bhs = all.filter((b) => b.copy === copy);
    const id = parseBackupId(backupid);
    if (!id) throw new OpenbpError('BACKUP_HEADER_UNREADABLE', `${mediaId}: backup ID '${backupid}' in tape file ${bhs[0]!.fileNumber} is malformed`, { media: mediaId });
    const d = bhs.find((b) => b.image)?.image;
    out.push({
      backupid,
      client: d?.client ?? id.client,
      policy: d?.policy ?? UNDESCRIBED,
      policyType: d?.policyType ?? 0,
      schedLabel: d?.schedLabel ?? UNDESCRIBED,
      schedType: schedTypeOf(d?.schedType ?? 0),
      backupTime: id.ctime,
      retentionLevel: bhs[0]!.retentionLevel,
      expiration: bhs[0]!.expiration,
      described: d !== undefined,
      fragments: bhs.map((b) => ({
        mediaId, fileNumber: b.fileNumber, copy: b.copy, fragment: b.fragment, streamOffset: b.streamOffset, blockSize: b.blockSize,
        flags: b.flags, written: b.written, host, density: contents.mediaHeader.densityCode,
      })),
      found: now,
    });
  }
  return out;
}

export interface Phase1Result {
  readonly mediaId: string;
  readonly images: ImportCandidate[];
  readonly recorded: string[];
  readonly known: string[];
  readonly end: 'eh' | 'full';
}

/** Mounts `mediaId`, reads its MH and BHs, and records the images found (those already catalogued are skipped). */
export async function importPhase1(home: Home, mediaId: string, host: string): Promise<Phase1Result> {
  const { volume } = await lookUpVolume(home, mediaId);
  const mount = await mountVolume(home, volume, { write: false });
  let contents: CartridgeContents;
  try {
    contents = await readCartridgeContents(mount.handle, mediaId);
  } finally {
    await mount.release();
  }
  const images = candidatesOf(mediaId, contents, host, nowSeconds());
  const r = await callDaemon(home, bpdbm.recordImportCandidates, { mediaId, candidates: images });
  return { mediaId, images, ...r, end: contents.end };
}
