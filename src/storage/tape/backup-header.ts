// The backup header (BH) that opens every fragment's tape file, and the empty header (EH) that marks where to append.
//
// FROZEN, version 2 (frame in header-fields.ts). BH-specific fields:
//   0x020  u32 copy number
//   0x024  u32 fragment number (1-based, counted over the whole image copy, across cartridges)
//   0x028  u64 stream offset of the fragment's first data byte
//   0x030  u32 block size (the largest data record; records are this size except possibly the last)
//   0x034  u32 flags: bit 0 = this fragment continues the image from the previous cartridge (spanning)
//   0x038  u32 tape file number of this fragment
//   0x03C  u32 retention level
//   0x040  u64 expiration, seconds since the epoch
//   0x048  u32 schedule type code (0 FULL, 1 INCR, 2 UBAK, 3 UARC, 4 CINC)             [version 2]
//   0x04C  u32 policy type (0 Standard, ...)                                           [version 2]
//   0x050 ..0x06F reserved (0)
//   0x100  256 backup ID, UTF-8, NUL-padded
//   0x200  128 policy name, UTF-8, NUL-padded                                          [version 2]
//   0x280  128 schedule label, UTF-8, NUL-padded                                       [version 2]
//   0x300  128 client name, UTF-8, NUL-padded                                          [version 2]
//   rest reserved (0)
// A version 1 BH has no image description: `image` decodes as undefined (bpimport then derives the client
// from the backup ID and names the policy and schedule IMPORTED).
// EH: the frame only (media ID and time written); everything else 0.

import type { ImageDescription } from '../driver.js';
import { frame, getString, putString, seal, unframe, HEADER_TYPE, type HeaderProblem } from './header-fields.js';

export const BH_FLAG_CONTINUED = 0x1;

/** What the image is, for bpimport: the catalogue header can be rebuilt from a cartridge alone. */
export type BackupImageDescription = ImageDescription;

export interface BackupHeader {
  readonly mediaId: string;
  readonly written: number;
  readonly backupid: string;
  readonly copy: number;
  readonly fragment: number;
  readonly streamOffset: number;
  readonly blockSize: number;
  readonly flags: number;
  readonly fileNumber: number;
  readonly retentionLevel: number;
  readonly expiration: number;
  /** Absent when written by a caller that did not describe the image (and in version 1 headers). */
  readonly image?: BackupImageDescription;
}

export interface EmptyHeader {
  readonly mediaId: string;
  readonly written: number;
}

export function encodeBackupHeader(h: BackupHeader): Buffer {
  const b = frame(HEADER_TYPE.BH, h);
  b.writeUInt32BE(h.copy, 0x20);
  b.writeUInt32BE(h.fragment, 0x24);
  b.writeBigUInt64BE(BigInt(h.streamOffset), 0x28);
  b.writeUInt32BE(h.blockSize, 0x30);
  b.writeUInt32BE(h.flags, 0x34);
  b.writeUInt32BE(h.fileNumber, 0x38);
  b.writeUInt32BE(h.retentionLevel, 0x3c);
  b.writeBigUInt64BE(BigInt(h.expiration), 0x40);
  putString(b, 0x100, 256, h.backupid);
  if (h.image) {
    b.writeUInt32BE(h.image.schedType, 0x48);
    b.writeUInt32BE(h.image.policyType, 0x4c);
    putString(b, 0x200, 128, h.image.policy);
    putString(b, 0x280, 128, h.image.schedLabel);
    putString(b, 0x300, 128, h.image.client);
  }
  return seal(b);
}

export function encodeEmptyHeader(h: EmptyHeader): Buffer {
  return seal(frame(HEADER_TYPE.EH, h));
}

export type DecodedHeader =
  | { ok: true; kind: 'MH' | 'EH'; mediaId: string; written: number }
  | { ok: true; kind: 'BH'; header: BackupHeader; mediaId: string; written: number }
  | { ok: false; problem: HeaderProblem; detail: string };

/** Decodes any openbp header record (MH, BH or EH); BH fields are returned in full. */
export function decodeHeader(rec: Uint8Array): DecodedHeader {
  const f = unframe(rec);
  if (!f.ok) return f;
  const { mediaId, written } = f.common;
  if (f.type === HEADER_TYPE.MH) return { ok: true, kind: 'MH', mediaId, written };
  if (f.type === HEADER_TYPE.EH) return { ok: true, kind: 'EH', mediaId, written };
  const b = f.b;
  const client = f.version >= 2 ? getString(b, 0x300, 128) : '';
  const image: BackupImageDescription | undefined = client === ''
    ? undefined
    : { client, policy: getString(b, 0x200, 128), policyType: b.readUInt32BE(0x4c), schedLabel: getString(b, 0x280, 128), schedType: b.readUInt32BE(0x48) };
  return {
    ok: true,
    kind: 'BH',
    mediaId,
    written,
    header: {
      mediaId,
      written,
      copy: b.readUInt32BE(0x20),
      fragment: b.readUInt32BE(0x24),
      streamOffset: Number(b.readBigUInt64BE(0x28)),
      blockSize: b.readUInt32BE(0x30),
      flags: b.readUInt32BE(0x34),
      fileNumber: b.readUInt32BE(0x38),
      retentionLevel: b.readUInt32BE(0x3c),
      expiration: Number(b.readBigUInt64BE(0x40)),
      backupid: getString(b, 0x100, 256),
      ...(image ? { image } : {}),
    },
  };
}
