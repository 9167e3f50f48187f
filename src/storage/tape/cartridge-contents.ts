// What a cartridge holds, read from its headers alone: the MH, then each tape file's BH (fsf from file to file).
// bpimport phase 1 and bpmedialist -mcontents use it; no data record is read.

import { OpenbpError } from '../../protocol/errors.js';
import { decodeHeader, type BackupHeader } from './backup-header.js';
import type { MediaHeader } from './media-header.js';
import type { TapeHandle } from './tape-device.js';
import { isTapeError, errorText } from './tape-error.js';
import { checkMediaHeader, readFirstRecord, readRecord } from './tape-writer.js';

export interface CartridgeContents {
  readonly mediaHeader: MediaHeader;
  /** Every BH, in tape file order (file 1 first). */
  readonly fragments: readonly BackupHeader[];
  /** 'eh': an empty header follows the last fragment (appendable); 'full': two filemarks or end of data, no EH. */
  readonly end: 'eh' | 'full';
}

/**
 * Rewinds and reads the MH (172 when it is not an openbp media header, 93 when it names another media ID), then
 * the first record of each following tape file. A file that does not start with a BH or EH is 173.
 */
export async function readCartridgeContents(h: TapeHandle, mediaId: string): Promise<CartridgeContents> {
  const first = await readFirstRecord(h, (e) => new OpenbpError('MEDIA_READ_ERROR', `reading the media header of ${mediaId}: ${errorText(e)}`, { cause: e, media: mediaId }));
  if (first === null) throw new OpenbpError('MEDIA_HEADER_UNREADABLE', `${mediaId} is blank (no media header): label it with bplabel`, { media: mediaId });
  const mediaHeader = checkMediaHeader(first, mediaId);
  const fragments: BackupHeader[] = [];
  for (let file = 1; ; file++) {
    let rec: Uint8Array | null;
    try {
      await h.spaceFiles(1);
      rec = await readRecord(h);
    } catch (e) {
      if (isTapeError(e, 'EIO')) return { mediaHeader, fragments, end: 'full' }; // end of data before another file
      throw new OpenbpError('MEDIA_POSITION_ERROR', `spacing to tape file ${file} of ${mediaId}: ${errorText(e)}`, { cause: e, media: mediaId });
    }
    if (rec === null) return { mediaHeader, fragments, end: 'full' };
    const d = decodeHeader(rec);
    if (!d.ok) throw new OpenbpError('BACKUP_HEADER_UNREADABLE', `tape file ${file} of ${mediaId} does not start with a backup header (${d.detail})`, { media: mediaId });
    if (d.kind === 'EH') return { mediaHeader, fragments, end: 'eh' };
    if (d.kind !== 'BH') throw new OpenbpError('BACKUP_HEADER_UNREADABLE', `tape file ${file} of ${mediaId} holds a second media header`, { media: mediaId });
    if (d.header.fileNumber !== file) throw new OpenbpError('BACKUP_HEADER_UNREADABLE', `the backup header in tape file ${file} of ${mediaId} says file ${d.header.fileNumber}`, { media: mediaId });
    fragments.push(d.header);
  }
}
