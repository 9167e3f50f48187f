// How bptm stores and reads an image's blocks: the form from the spec (compression, the active key),
// and for reading, the block index that maps the stream range to stored blocks.

import type { BptmSpec } from '../../protocol/job-specs.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { ImageReader, StorageDriver } from '../../storage/driver.js';
import { FRAME_HEADER_BYTES, isFramed, type BlockForm, type BlockKey } from '../../formats/block-frame.js';
import { blocksOfCopy, decodeIndex } from '../../formats/block-index.js';
import { activeKey, keyById } from '../../config/key-store.js';
import { BlockReader } from './block-reader.js';
import type { ByteSource } from './ring-loops.js';

export interface WritePlan {
  readonly form: BlockForm;
  /** The largest stored block: the buffer size, plus the frame header when framed. */
  readonly storedBlockSize: number;
  readonly keyTag?: string;
}

export function blockFormFor(spec: BptmSpec): WritePlan {
  let key: BlockKey | undefined;
  if (spec.encrypt) {
    if (!spec.keyFile) throw new OpenbpError('MEDIA_OPEN_ERROR', 'the policy encrypts but bptm was given no key file');
    const k = activeKey(spec.keyFile);
    key = { tag: k.tag, key: k.key };
  }
  const form: BlockForm = { compress: spec.compress === true, ...(key ? { key } : {}) };
  return { form, storedBlockSize: spec.bufferSize + (isFramed(form) ? FRAME_HEADER_BYTES : 0), ...(key ? { keyTag: key.tag } : {}) };
}

/**
 * Opens the image for reading the spec's stream range. With a block index every block is checked
 * before its bytes go on; an image written without one is read as it is (fragment checksums only).
 */
export async function blockSourceFor(spec: BptmSpec, driver: StorageDriver): Promise<{ reader: ImageReader; source: ByteSource }> {
  const range = { start: spec.rangeStart ?? 0, end: spec.rangeEnd ?? -1 };
  const fragments = spec.fragments ?? [];
  const index = spec.blockIndex ? blocksOfCopy(decodeIndex(Buffer.from(spec.blockIndex, 'base64')), spec.copy) : undefined;
  if (!index) {
    const reader = await driver.openImageReader(fragments, range);
    return { reader, source: { read: (buf, off, len) => reader.read(buf, off, len) } };
  }
  const keys = new Map<string, BlockKey>();
  const keyFor = (keyId: string): BlockKey => {
    let k = keys.get(keyId);
    if (!k) {
      if (!spec.keyFile) throw new OpenbpError('MEDIA_READ_ERROR', `the image is encrypted with key ${keyId} and bptm was given no key file`);
      const stored = keyById(spec.keyFile, keyId);
      k = { tag: stored.tag, key: stored.key };
      keys.set(keyId, k);
    }
    return k;
  };
  // The bptm child checks plain whole blocks as it writes them out (ring-loops verify): the hashing runs beside the reads.
  const source = new BlockReader({ framed: index.framed, blocks: index.blocks, backupid: spec.backupid, keyFor, deferChecks: true }, range);
  const reader = await driver.openImageReader(fragments, source.storedRange);
  return { reader, source: source.attach(reader) };
}
