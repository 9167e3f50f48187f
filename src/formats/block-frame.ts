// The stored form of one block of an image stream: plain bytes, or a frame (compressed and/or encrypted).
//
// Frozen format, version 1. bptm cuts the image stream into blocks (one shared-memory slot each, at most
// SIZE_DATA_BUFFERS bytes) and stores each block in one of two forms, fixed for the whole image:
//
//   plain   the block's bytes as they are: a plain image stays a pax tar stream that GNU tar reads.
//
// Every stored block (plain or framed) has a checksum in the catalogue's block index: the first 8 bytes
// of the BLAKE3 (block index version 2; sha256 in version 1) of its stored bytes (blockChecksum), so that
// damage and tampering of the storage alone are both detected (a crc can be forged; a truncated
// cryptographic hash cannot, short of 2^64 work).
//
//   framed  a 64-byte header, then the payload. All integers big-endian.
//           offset size field
//            0      4   magic "OBPK"
//            4      1   version, 1
//            5      1   codec: 0 stored (payload is the block, or its ciphertext), 1 brotli
//            6      1   cipher: 0 none, 1 AES-256-GCM
//            7      1   reserved, 0
//            8      4   raw length: bytes of the image stream this block carries (1..2^32-1)
//           12      4   payload length
//           16      8   stream offset of the block's first byte (in the image stream as the client wrote it)
//           24      8   key id: the first 8 bytes of the key tag (0 when not encrypted)
//           32     12   GCM nonce (0 when not encrypted; random per block otherwise)
//           44     16   GCM tag (0 when not encrypted)
//           60      4   crc32 of bytes 0..59 followed by the payload (lets a frame be checked without
//                       the catalogue; readers that have the catalogue's checksum check that instead)
//         Encryption: AES-256-GCM over
//         the (compressed) payload, additional data = header bytes 0..43 followed by the backup id
//         (UTF-8), so a block moved to another offset or image fails authentication. A block whose
//         compressed form is not smaller is stored with codec 0.
//
// Readers reject an unknown magic, version, codec or cipher (status 85), so later versions change these.

import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { OpenbpError } from '../protocol/errors.js';
import { FRAME_HEADER_BYTES } from './block-frame-size.js';

export const FRAME_MAGIC = Buffer.from('OBPK', 'latin1');
export const FRAME_VERSION = 1;
export { FRAME_HEADER_BYTES };
export const CODEC = { stored: 0, brotli: 1 } as const;
export const CIPHER = { none: 0, aes256gcm: 1 } as const;

const CRC_AT = 60;
const TAG_AT = 44;
const NONCE_AT = 32;
const KEYID_AT = 24;

/** An encryption key: its tag (16 hex digits: the key id) and its 32 bytes. */
export interface BlockKey {
  readonly tag: string;
  readonly key: Buffer;
}

/** How the blocks of one image are stored. */
export interface BlockForm {
  readonly compress: boolean;
  readonly key?: BlockKey;
}

export function isFramed(form: BlockForm): boolean {
  return form.compress || form.key !== undefined;
}

export { blockChecksum } from './block-checksum.js';

const BROTLI_OPTS = (size: number): zlib.BrotliOptions => ({
  params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 1,
    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size,
  },
});

/** Frames one block: returns the stored bytes (a new buffer) and the frame's crc32. */
export function encodeFrame(raw: Uint8Array, streamOffset: number, form: BlockForm, backupid: string): { stored: Buffer; checksum: number } {
  let codec: number = CODEC.stored;
  let payload: Uint8Array = raw;
  if (form.compress) {
    const packed = zlib.brotliCompressSync(raw, BROTLI_OPTS(raw.length));
    if (packed.length < raw.length) {
      codec = CODEC.brotli;
      payload = packed;
    }
  }
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  FRAME_MAGIC.copy(header, 0);
  header[4] = FRAME_VERSION;
  header[5] = codec;
  header[6] = form.key ? CIPHER.aes256gcm : CIPHER.none;
  header.writeUInt32BE(raw.length, 8);
  header.writeUInt32BE(payload.length, 12);
  header.writeBigUInt64BE(BigInt(streamOffset), 16);
  let stored: Buffer;
  if (form.key) {
    Buffer.from(form.key.tag, 'hex').copy(header, KEYID_AT, 0, 8);
    crypto.randomFillSync(header, NONCE_AT, 12);
    const cipher = crypto.createCipheriv('aes-256-gcm', form.key.key, header.subarray(NONCE_AT, NONCE_AT + 12));
    cipher.setAAD(Buffer.concat([header.subarray(0, TAG_AT), Buffer.from(backupid, 'utf8')]));
    stored = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
    const n = cipher.update(payload).copy(stored, FRAME_HEADER_BYTES);
    cipher.final();
    cipher.getAuthTag().copy(header, TAG_AT);
    if (n !== payload.length) throw new OpenbpError('MEDIA_WRITE_ERROR', 'AES-256-GCM produced a short ciphertext');
  } else {
    stored = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
    stored.set(payload, FRAME_HEADER_BYTES);
  }
  const checksum = zlib.crc32(stored.subarray(FRAME_HEADER_BYTES), zlib.crc32(header.subarray(0, CRC_AT)));
  header.writeUInt32BE(checksum, CRC_AT);
  header.copy(stored, 0);
  return { stored, checksum };
}

/** The fields of a frame header. */
export interface FrameHeader {
  readonly codec: number;
  readonly cipher: number;
  readonly rawLength: number;
  readonly payloadLength: number;
  readonly streamOffset: number;
  readonly keyId: string;
  readonly checksum: number;
}

function bad(what: string): OpenbpError {
  return new OpenbpError('MEDIA_READ_ERROR', what);
}

/** Parses and checks a frame header (85 when it is not a version-1 frame). */
export function readFrameHeader(stored: Uint8Array, where: string): FrameHeader {
  if (stored.length < FRAME_HEADER_BYTES) throw bad(`${where}: ${stored.length} bytes cannot hold a block frame`);
  const h = Buffer.from(stored.buffer, stored.byteOffset, FRAME_HEADER_BYTES);
  if (!h.subarray(0, 4).equals(FRAME_MAGIC)) throw bad(`${where}: not a block frame (bad magic)`);
  if (h[4] !== FRAME_VERSION) throw bad(`${where}: block frame version ${h[4]} is not supported (this openbp reads ${FRAME_VERSION})`);
  const codec = h[5]!;
  const cipher = h[6]!;
  if (codec !== CODEC.stored && codec !== CODEC.brotli) throw bad(`${where}: unknown block codec ${codec}`);
  if (cipher !== CIPHER.none && cipher !== CIPHER.aes256gcm) throw bad(`${where}: unknown block cipher ${cipher}`);
  return {
    codec,
    cipher,
    rawLength: h.readUInt32BE(8),
    payloadLength: h.readUInt32BE(12),
    streamOffset: Number(h.readBigUInt64BE(16)),
    keyId: h.subarray(KEYID_AT, KEYID_AT + 8).toString('hex'),
    checksum: h.readUInt32BE(CRC_AT),
  };
}

/** The crc32 of a stored frame as computed from its bytes (compare with its header's). */
export function frameChecksum(stored: Uint8Array): number {
  return zlib.crc32(stored.subarray(FRAME_HEADER_BYTES), zlib.crc32(stored.subarray(0, CRC_AT)));
}

/**
 * Opens a frame whose checksum was checked: decrypts (authenticated) and decompresses it. `keyFor` gives
 * the key for a key id or throws. Errors are 85 with a one-line message.
 */
export function decodeFrame(stored: Uint8Array, h: FrameHeader, backupid: string, keyFor: (keyId: string) => BlockKey, where: string): Buffer {
  if (stored.length !== FRAME_HEADER_BYTES + h.payloadLength) throw bad(`${where}: frame length ${stored.length} does not match its payload length ${h.payloadLength}`);
  let payload = Buffer.from(stored.buffer, stored.byteOffset + FRAME_HEADER_BYTES, h.payloadLength);
  if (h.cipher === CIPHER.aes256gcm) {
    const key = keyFor(h.keyId);
    const hdr = Buffer.from(stored.buffer, stored.byteOffset, FRAME_HEADER_BYTES);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key.key, hdr.subarray(NONCE_AT, NONCE_AT + 12));
    decipher.setAAD(Buffer.concat([hdr.subarray(0, TAG_AT), Buffer.from(backupid, 'utf8')]));
    decipher.setAuthTag(hdr.subarray(TAG_AT, TAG_AT + 16));
    try {
      payload = Buffer.concat([decipher.update(payload), decipher.final()]);
    } catch {
      throw bad(`${where}: fails AES-256-GCM authentication (tampered data or wrong key ${key.tag})`);
    }
  }
  if (h.codec === CODEC.brotli) {
    let raw: Buffer;
    try {
      raw = zlib.brotliDecompressSync(payload, { maxOutputLength: Math.max(1, h.rawLength) });
    } catch (e) {
      throw bad(`${where}: cannot decompress: ${(e as Error).message}`);
    }
    if (raw.length !== h.rawLength) throw bad(`${where}: decompresses to ${raw.length} bytes, its header says ${h.rawLength}`);
    return raw;
  }
  if (payload.length !== h.rawLength) throw bad(`${where}: holds ${payload.length} bytes, its header says ${h.rawLength}`);
  return payload;
}
