// Length-prefixed frames on a stream socket: 4-byte big-endian length, then a JSON document. A frame whose
// value holds Buffers (byte-fields.ts) sets the length's top bit: then a 4-byte length of the JSON follows, and
// after the JSON the Buffers' bytes.

import { joinBytes, splitBytes } from './byte-fields.js';

export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
const WITH_BYTES = 0x80000000;

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export function encodeFrame(value: unknown): Buffer {
  const split = splitBytes(value);
  const text = JSON.stringify(split ? split.json : value);
  const textLength = Buffer.byteLength(text, 'utf8');
  const head = split ? 8 : 4;
  let length = head - 4 + textLength;
  for (const p of split?.parts ?? []) length += p.length;
  if (length > MAX_FRAME_BYTES) throw new FrameError(`frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`);
  // One buffer, one copy of the text (a batch of file records is a few hundred KB) and of the bytes.
  const frame = Buffer.allocUnsafe(4 + length);
  frame.writeUInt32BE(split ? (WITH_BYTES | length) >>> 0 : length, 0);
  if (split) frame.writeUInt32BE(textLength, 4);
  let at = head + frame.write(text, head, 'utf8');
  for (const p of split?.parts ?? []) at += p.copy(frame, at);
  return frame;
}

/** Accumulates bytes and yields complete decoded frames; throws FrameError on garbage. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): unknown[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: unknown[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      // Join the pieces only once the whole frame is here (a large reply arrives in many pieces).
      const first = this.chunks[0]!.length >= 4 ? this.chunks[0]! : Buffer.concat(this.chunks);
      const word = first.readUInt32BE(0);
      const withBytes = (word & WITH_BYTES) !== 0;
      const len = (word & ~WITH_BYTES) >>> 0;
      if (len > MAX_FRAME_BYTES) throw new FrameError(`frame length ${len} exceeds ${MAX_FRAME_BYTES}`);
      if (this.buffered < 4 + len) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      const body = all.subarray(4, 4 + len);
      const rest = all.subarray(4 + len);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      out.push(withBytes ? decodeWithBytes(body) : parseJson(body));
    }
    return out;
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new FrameError('frame is not valid JSON');
  }
}

/** A frame's body with bytes: the JSON's length, the JSON, the bytes its placeholders point into. */
function decodeWithBytes(body: Buffer): unknown {
  if (body.length < 4 || body.readUInt32BE(0) > body.length - 4) throw new FrameError('frame with bytes has a bad JSON length');
  const textEnd = 4 + body.readUInt32BE(0);
  // A copy: the bytes outlive this read's buffer, and must not keep a large one alive.
  const area = Buffer.from(body.subarray(textEnd));
  try {
    return joinBytes(parseJson(body.subarray(4, textEnd)), area);
  } catch (e) {
    if (e instanceof FrameError) throw e;
    throw new FrameError(`frame with bytes: ${(e as Error).message}`);
  }
}
