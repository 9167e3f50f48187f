// bplabel's tape side: what is on a cartridge before it is labelled, and writing a new media header at BOT.

import { OpenbpError } from '../../protocol/errors.js';
import type { BackupHeader } from './backup-header.js';
import { readCartridgeContents } from './cartridge-contents.js';
import { decodeMediaHeader, encodeMediaHeader, type MediaHeader } from './media-header.js';
import type { TapeHandle } from './tape-device.js';
import { readFirstRecord } from './tape-writer.js';
import { errorText } from './tape-error.js';

export type LabelFound =
  | { readonly kind: 'blank' }
  | { readonly kind: 'foreign'; readonly detail: string }
  /** An openbp cartridge: its MH and the backup headers on it (undefined when they could not be read). */
  | { readonly kind: 'openbp'; readonly header: MediaHeader; readonly fragments: readonly BackupHeader[] | undefined };

/** Reads what the cartridge holds: nothing, a foreign first record, or an openbp MH and its BHs. */
export async function inspectCartridge(h: TapeHandle): Promise<LabelFound> {
  const first = await readFirstRecord(h, (e) => new OpenbpError('MEDIA_READ_ERROR', `reading the first record: ${errorText(e)}`, { cause: e }));
  if (first === null) return { kind: 'blank' };
  const d = decodeMediaHeader(first);
  if (!d.ok) return { kind: 'foreign', detail: d.detail };
  const fragments = await readCartridgeContents(h, d.header.mediaId).then((c) => c.fragments, () => undefined);
  return { kind: 'openbp', header: d.header, fragments };
}

/** Writes `header` at BOT followed by a filemark: everything that was on the cartridge is gone (new end of data). */
export async function writeMediaHeader(h: TapeHandle, header: MediaHeader): Promise<void> {
  try {
    await h.rewind();
    await h.writeBlock(encodeMediaHeader(header));
    await h.writeFilemarks(1);
  } catch (e) {
    throw new OpenbpError('MEDIA_WRITE_ERROR', `labelling ${header.mediaId}: ${errorText(e)}`, { cause: e, media: header.mediaId });
  }
}
