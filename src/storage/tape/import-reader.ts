// bpimport phase 2's tape side: an image's data stream read fragment by fragment from its cartridges, with a
// FragmentRecord (bytes, sha256, position) made for each fragment as it is read to its filemark.

import crypto from 'node:crypto';
import { OpenbpError } from '../../protocol/errors.js';
import type { FragmentRecord, ImportFragment } from '../../protocol/records.js';
import { decodeHeader } from './backup-header.js';
import { HEADER_BYTES } from './header-fields.js';
import type { TapeHandle } from './tape-device.js';
import { isTapeError, errorText } from './tape-error.js';
import { FRAGMENT_FLAG_CONTINUED, FRAGMENT_FLAG_IRREGULAR, MEDIA_TYPE_TAPE } from './tape-writer.js';

/** Mounts a cartridge for reading; release() gives it back. */
export type MountForImport = (mediaId: string) => Promise<{ handle: TapeHandle; release(): Promise<void> }>;

export interface ImportImage {
  readonly backupid: string;
  readonly expiration: number;
  readonly retentionLevel: number;
  /** Fragments in stream order, as phase 1 found them. */
  readonly fragments: readonly ImportFragment[];
}

/**
 * Yields the image's data stream; each fragment's record is pushed to `done` once its filemark is reached.
 * Errors: 176 a gap between fragments (a cartridge not read in phase 1), 94 a BH that does not match, 85 read errors.
 */
export async function* readImportStream(img: ImportImage, mount: MountForImport, done: FragmentRecord[]): AsyncGenerator<Buffer> {
  let mounted: { mediaId: string; handle: TapeHandle; release(): Promise<void> } | undefined;
  let at = 0;
  try {
    for (const f of img.fragments) {
      if (f.streamOffset !== at) {
        throw new OpenbpError('IMPORT_FAILED', `${img.backupid}: fragment ${f.fragment} starts at byte ${f.streamOffset}, the fragments read end at ${at}: run bpimport -create_db_info on the cartridge holding the rest`);
      }
      if (mounted?.mediaId !== f.mediaId) {
        await mounted?.release();
        mounted = undefined;
        mounted = { mediaId: f.mediaId, ...(await mount(f.mediaId)) };
      }
      const h = mounted.handle;
      const dataObject = await positionAt(h, img.backupid, f);
      const hash = crypto.createHash('sha256');
      let bytes = 0;
      let shortSeen = false;
      let irregular = false;
      for (;;) {
        let b: Uint8Array;
        try {
          b = await h.readBlock(f.blockSize);
        } catch (e) {
          if (isTapeError(e, 'EIO') && (await h.status()).flags.eod) break; // a fragment cut off by a crash: what is there
          throw new OpenbpError('MEDIA_READ_ERROR', `reading fragment ${f.fragment} of ${img.backupid} on ${f.mediaId}: ${errorText(e)}`, { cause: e, media: f.mediaId });
        }
        if (b.length === 0) break;
        if (shortSeen) irregular = true;
        if (b.length < f.blockSize) shortSeen = true;
        hash.update(b);
        bytes += b.length;
        yield Buffer.from(b.buffer, b.byteOffset, b.length);
      }
      done.push({
        copy: f.copy, fragment: f.fragment, kbytes: Math.floor(bytes / 1024), remainder: bytes % 1024, mediaType: MEDIA_TYPE_TAPE,
        density: f.density, fileNumber: f.fileNumber, mediaId: f.mediaId, host: f.host, blockSize: f.blockSize, offset: dataObject,
        mediaDate: f.written, devWritten: 0,
        flags: (f.flags & FRAGMENT_FLAG_CONTINUED ? FRAGMENT_FLAG_CONTINUED : 0) | (irregular ? FRAGMENT_FLAG_IRREGULAR : 0),
        expiration: img.expiration, retentionLevel: img.retentionLevel, streamOffset: f.streamOffset, bytes, checksum: hash.digest('hex'),
      });
      at += bytes;
    }
  } finally {
    await mounted?.release();
  }
}

/** rewind, fsf to the fragment's file, read and check its BH; returns the logical object of its first data record. */
async function positionAt(h: TapeHandle, backupid: string, f: ImportFragment): Promise<number> {
  let rec: Uint8Array;
  try {
    await h.setBlockSize(0).catch(() => {});
    await h.rewind();
    await h.spaceFiles(f.fileNumber);
    rec = await h.readBlock(Math.max(HEADER_BYTES, f.blockSize));
  } catch (e) {
    throw new OpenbpError('CANNOT_POSITION_TO_IMAGE', `positioning to file ${f.fileNumber} of ${f.mediaId}: ${errorText(e)}`, { cause: e, media: f.mediaId });
  }
  const d = decodeHeader(rec);
  if (!d.ok || d.kind !== 'BH' || d.header.backupid !== backupid || d.header.fragment !== f.fragment || d.mediaId !== f.mediaId) {
    throw new OpenbpError('CANNOT_POSITION_TO_IMAGE', `file ${f.fileNumber} of ${f.mediaId} no longer holds fragment ${f.fragment} of ${backupid}: run bpimport -create_db_info again`, { media: f.mediaId });
  }
  return h.tell();
}
