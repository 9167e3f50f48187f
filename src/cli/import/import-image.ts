// bpimport phase 2: read a candidate image's stream from its cartridges and rebuild its catalogue header and .f
// through bpdbm (created pending, files added as they are read, fragments added and committed at the end).

import { nowSeconds } from '../../config/clock.js';
import os from 'node:os';
import type { Home } from '../../config/home.js';
import { fileRecordFromEntry } from '../../archive/catalog-record.js';
import { TarReader, UnexpectedEofError, isUnsupported } from '../../archive/tar-reader.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { OpenbpError, toOpenbpError } from '../../protocol/errors.js';
import { nbemm } from '../../protocol/nbemm.js';
import type { FileRecord, FragmentRecord, ImageRecord, ImportCandidate } from '../../protocol/records.js';
import { expirationFor } from '../../protocol/retention.js';
import { BLOCK } from '../../archive/tar-entry.js';
import { readImportStream, type MountForImport } from '../../storage/tape/import-reader.js';
import { callDaemon } from '../daemon-call.js';
import { lookUpVolume, mountVolume } from '../mount-volume.js';

const BATCH = 2000;

export interface ImportedImage {
  readonly image: ImageRecord;
  /** Stream entries the catalogue could not take (unsafe paths, unsupported types). */
  readonly skipped: string[];
}

/** Mounts each cartridge through nbemm's view of the robots (read only). */
export function mountThroughNbemm(home: Home): MountForImport {
  return async (mediaId) => {
    const { volume } = await lookUpVolume(home, mediaId);
    return mountVolume(home, volume, { write: false });
  };
}

/**
 * Imports one candidate. The expiration is the import time plus the image's retention period (NetBackup's rule
 * for imported images). Errors: 176 fragments missing or the stream ends before the archive does, 92 not tar,
 * 94/85 tape problems; the pending image is aborted on any error.
 */
export async function importImage(home: Home, c: ImportCandidate, mount: MountForImport, jobid = 0, now = nowSeconds()): Promise<ImportedImage> {
  if (c.fragments.length === 0 || c.fragments[0]!.streamOffset !== 0) {
    throw new OpenbpError('IMPORT_FAILED', `${c.backupid}: the first fragment was not found: run bpimport -create_db_info on the cartridge holding it`);
  }
  const expiration = expirationFor(now, c.retentionLevel);
  const image: ImageRecord = {
    client: c.client, backupid: c.backupid, policy: c.policy, policyType: c.policyType, schedLabel: c.schedLabel, schedType: c.schedType,
    retentionLevel: c.retentionLevel, backupTime: c.backupTime, elapsed: 0, expiration, compression: 0, encryption: 0, kbytes: 0, numFiles: 0,
    copies: 1, numFragments: 0, keyword: '', jobid, creator: os.userInfo().username, primaryCopy: 1, backupStatus: 0, stunit: '', fragments: [],
  };
  await callDaemon(home, bpdbm.createImage, image);
  try {
    const fragments: FragmentRecord[] = [];
    const { files, skipped, bytes } = await catalogueStream(home, c.backupid, readImportStream({ ...c, expiration, fragments: c.fragments }, mount, fragments));
    for (const fragment of fragments) await callDaemon(home, bpdbm.addFragment, { backupid: c.backupid, fragment: { ...fragment, expiration } });
    const committed = await callDaemon(home, bpdbm.commitImage, { backupid: c.backupid, kbytes: Math.ceil(bytes / 1024), numFiles: files, elapsed: 0, backupStatus: 0 });
    return { image: committed, skipped };
  } catch (e) {
    await callDaemon(home, bpdbm.abortImage, { backupid: c.backupid }).catch(() => {});
    throw toOpenbpError(e, 'IMPORT_FAILED');
  }
}

/** Parses the stream as tar and sends a .f record per entry; checks that the archive ends inside the stream. */
async function catalogueStream(home: Home, backupid: string, stream: AsyncIterable<Buffer>): Promise<{ files: number; skipped: string[]; bytes: number }> {
  let bytes = 0;
  const counted = (async function* () {
    for await (const b of stream) {
      bytes += b.length;
      yield b;
    }
  })();
  const reader = new TarReader(counted);
  const skipped: string[] = [];
  let batch: FileRecord[] = [];
  let files = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await callDaemon(home, bpdbm.addFiles, { backupid, files: batch });
    batch = [];
  };
  try {
    for (;;) {
      const got = await reader.next();
      if (got === null) break;
      const rec = isUnsupported(got) ? null : fileRecordFromEntry(got.entry, got.offset);
      if (rec === null) skipped.push(isUnsupported(got) ? `${got.path} (${got.unsupported})` : got.entry.path);
      else {
        batch.push(rec);
        files++;
        if (batch.length >= BATCH) await flush();
      }
      await reader.skipBody();
    }
  } catch (e) {
    if (e instanceof OpenbpError) throw e;
    if (e instanceof UnexpectedEofError) throw incomplete(backupid);
    throw new OpenbpError('NOT_TAR_FORMAT', `${backupid}: the image is not a valid tar stream after ${files} entries: ${(e as Error).message}`, { cause: e });
  }
  const end = reader.offset;
  await reader.drain();
  // bpbkar ends every stream with two zero blocks; without the second one the image continues on a cartridge not read yet.
  if (bytes - end < BLOCK) throw incomplete(backupid);
  await flush();
  return { files, skipped, bytes };
}

function incomplete(backupid: string): OpenbpError {
  return new OpenbpError('IMPORT_FAILED', `${backupid}: the fragments read end before the image does: run bpimport -create_db_info on the cartridge holding the rest`);
}

/** After importing images of a volume: nbemm counts them and flags the volume IMPORTED. */
export async function noteImported(home: Home, images: readonly ImageRecord[]): Promise<void> {
  const perMedia = new Map<string, { images: number; kbytes: number; expiration: number; retentionLevel: number }>();
  for (const i of images) {
    for (const mediaId of new Set(i.fragments.map((f) => f.mediaId))) {
      const m = perMedia.get(mediaId) ?? { images: 0, kbytes: 0, expiration: 0, retentionLevel: i.retentionLevel };
      m.images++;
      m.kbytes += i.fragments.filter((f) => f.mediaId === mediaId).reduce((s, f) => s + f.kbytes, 0);
      m.expiration = Math.max(m.expiration, i.expiration);
      perMedia.set(mediaId, m);
    }
  }
  for (const [mediaId, m] of perMedia) await callDaemon(home, nbemm.volumeImported, { mediaId, ...m });
}
