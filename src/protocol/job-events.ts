// What per-job processes report on their event descriptor (fd 3): one JSON object per line.
// bpbkar -> bpbrm (file records for the catalogue), bptm -> bpbrm (fragments, progress), nbtar -> bpbrm.

import { arr, bytes, int, num, obj, oneOf, opt, str, type Infer } from './schema.js';
import { fileRecord, fragmentRecord } from './records.js';

/** A file that could not be handled; the job ends partially successful (status 1). */
export const warningEvent = obj({ kind: oneOf('warning'), path: str, message: str, code: opt(str) });

/** bpbkar: catalogue records, batched (as JSON: bpbkar sends fileBlockEvent; bpbrm still takes these). */
export const filesEvent = obj({ kind: oneOf('files'), files: arr(fileRecord) });

/**
 * bpbkar: catalogue records, batched as one .f block payload (formats/files-file.ts, BlockEncoder; its bytes after
 * the event's line, ipc/byte-fields.ts):
 * bpbrm forwards it to bpdbm (addFileBlock) without reading the records, bpdbm appends it to the .f.
 * `last` is the path of the block's last record (for the job's progress line).
 */
export const fileBlockEvent = obj({ kind: oneOf('file-block'), count: int, last: str, block: bytes });

/** bpbkar / nbtar: the end of the client side, with totals. `status` is a NetBackup status. */
export const clientEndEvent = obj({ kind: oneOf('end'), status: int, files: int, bytes: num, message: opt(str) });

/** bptm: a fragment is written and durable. */
export const fragmentEvent = obj({
  kind: oneOf('fragment'),
  fragment: fragmentRecord,
  /** The fragment's block index section (base64, formats/block-index.ts), for the catalogue. */
  blocks: opt(str),
});

/** bptm / nbtar: bytes moved so far. */
export const progressEvent = obj({ kind: oneOf('progress'), bytes: num, files: opt(int), path: opt(str) });

/** bptm: the end of the media side. */
export const mediaEndEvent = obj({ kind: oneOf('end'), status: int, bytes: num, message: opt(str) });

export const bpbkarEvent = {
  parse(v: unknown): BpbkarEvent {
    const kind = (v as { kind?: unknown } | null)?.kind;
    if (kind === 'file-block') return fileBlockEvent.parse(v);
    if (kind === 'files') return filesEvent.parse(v);
    if (kind === 'warning') return warningEvent.parse(v);
    return clientEndEvent.parse(v);
  },
};
export type BpbkarEvent = Infer<typeof fileBlockEvent> | Infer<typeof filesEvent> | Infer<typeof warningEvent> | Infer<typeof clientEndEvent>;

export const bptmEvent = {
  parse(v: unknown): BptmEvent {
    const kind = (v as { kind?: unknown } | null)?.kind;
    if (kind === 'fragment') return fragmentEvent.parse(v);
    if (kind === 'progress') return progressEvent.parse(v);
    if (kind === 'warning') return warningEvent.parse(v);
    return mediaEndEvent.parse(v);
  },
};
export type BptmEvent = Infer<typeof fragmentEvent> | Infer<typeof progressEvent> | Infer<typeof warningEvent> | Infer<typeof mediaEndEvent>;

export const nbtarEvent = {
  parse(v: unknown): NbtarEvent {
    const kind = (v as { kind?: unknown } | null)?.kind;
    if (kind === 'progress') return progressEvent.parse(v);
    if (kind === 'warning') return warningEvent.parse(v);
    return clientEndEvent.parse(v);
  },
};
export type NbtarEvent = Infer<typeof progressEvent> | Infer<typeof warningEvent> | Infer<typeof clientEndEvent>;
