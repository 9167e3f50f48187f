// Appending after a writer that died: the cartridge ends inside an image that no catalogue lists.
//
// A bptm killed mid-write leaves no EH: the tape ends in the middle of (or right after) a fragment of an
// image that nbjm has since removed from the catalogue. Its bytes are unreferenced; the safe append point
// is after them: the torn file is closed with a filemark and the next image starts in a new tape file.
// Earlier images are never touched.

import { OpenbpError } from '../../protocol/errors.js';
import type { TapeHandle } from './tape-device.js';
import { isTapeError } from './tape-error.js';
import { MAX_RECORD } from './simh-format.js';

async function isMark(h: TapeHandle): Promise<boolean> {
  try {
    return (await h.readBlock(MAX_RECORD)).length === 0;
  } catch (e) {
    if (!isTapeError(e, 'ENOMEM')) throw e;
    return false;
  }
}

/**
 * Positions at end of data, closing a torn last file with a filemark; returns the next tape file number,
 * or 'full' when the cartridge ends with two filemarks (closed at end of media: nothing may follow).
 */
export async function positionAfterDebris(h: TapeHandle, mediaId: string): Promise<number | 'full'> {
  try {
    await h.rewind();
    await h.seekEod();
    const files = (await h.status()).fileNumber;
    const end = await h.tell();
    if (files < 1 || end < 2) throw new OpenbpError('CANNOT_POSITION_TO_IMAGE', `${mediaId} has no complete media header file`, { media: mediaId });
    await h.locate(end - 2);
    const beforeLast = await isMark(h);
    const lastIsMark = await isMark(h);
    if (beforeLast && lastIsMark && end > 2) return 'full';
    await h.seekEod();
    if (lastIsMark) return files;
    await h.writeFilemarks(1);
    return files + 1;
  } catch (e) {
    if (e instanceof OpenbpError) throw e;
    throw new OpenbpError('MEDIA_POSITION_ERROR', `spacing to the end of ${mediaId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, media: mediaId });
  }
}
