// The media header (MH): the 1024-byte record in tape file 0 that says which cartridge this is and that openbp owns it.
//
// FROZEN, version 1 (frame in header-fields.ts). MH-specific fields:
//   0x020  u32 retention level the cartridge was allocated with
//   0x024  u32 density code (SCSI, e.g. 0x58 LTO-5)
//   0x028  32  volume pool name, NUL-padded
//   0x048  32  media server that labelled it, NUL-padded
//   0x068  8   reserved (0)
//   0x088  8   "openbp\0\0" (which software wrote the label)
//   0x090 ..0x3FB reserved (0)

import { frame, getString, putString, seal, unframe, HEADER_TYPE, type HeaderProblem } from './header-fields.js';

export const WRITER_ID = 'openbp';

export interface MediaHeader {
  readonly mediaId: string;
  /** Seconds since the epoch: when the cartridge was labelled. */
  readonly created: number;
  readonly retentionLevel: number;
  readonly densityCode: number;
  readonly pool: string;
  readonly host: string;
}

export function encodeMediaHeader(h: MediaHeader): Buffer {
  const b = frame(HEADER_TYPE.MH, { mediaId: h.mediaId, written: h.created });
  b.writeUInt32BE(h.retentionLevel, 0x20);
  b.writeUInt32BE(h.densityCode, 0x24);
  putString(b, 0x28, 32, h.pool);
  putString(b, 0x48, 32, h.host);
  putString(b, 0x88, 8, WRITER_ID);
  return seal(b);
}

export type DecodedMediaHeader = { ok: true; header: MediaHeader } | { ok: false; problem: HeaderProblem | 'not-mh'; detail: string };

/** Decodes a record as a media header; says why when it is not one. */
export function decodeMediaHeader(rec: Uint8Array): DecodedMediaHeader {
  const f = unframe(rec);
  if (!f.ok) return f;
  if (f.type !== HEADER_TYPE.MH) return { ok: false, problem: 'not-mh', detail: `a ${f.type === HEADER_TYPE.BH ? 'backup' : 'empty'} header, not a media header` };
  const b = f.b;
  return {
    ok: true,
    header: {
      mediaId: f.common.mediaId,
      created: f.common.written,
      retentionLevel: b.readUInt32BE(0x20),
      densityCode: b.readUInt32BE(0x24),
      pool: getString(b, 0x28, 32),
      host: getString(b, 0x48, 32),
    },
  };
}
