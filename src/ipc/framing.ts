// Length-prefixed frames on a stream socket: 4-byte big-endian length, then a JSON document.

export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export function encodeFrame(value: unknown): Buffer {
  const text = JSON.stringify(value);
  const length = Buffer.byteLength(text, 'utf8');
  if (length > MAX_FRAME_BYTES) throw new FrameError(`frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`);
  // One buffer, one copy of the text (a batch of file records is a few hundred KB).
  const frame = Buffer.allocUnsafe(4 + length);
  frame.writeUInt32BE(length, 0);
  frame.write(text, 4, 'utf8');
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
      const len = first.readUInt32BE(0);
      if (len > MAX_FRAME_BYTES) throw new FrameError(`frame length ${len} exceeds ${MAX_FRAME_BYTES}`);
      if (this.buffered < 4 + len) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      const body = all.subarray(4, 4 + len);
      const rest = all.subarray(4 + len);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      let value: unknown;
      try {
        value = JSON.parse(body.toString('utf8'));
      } catch {
        throw new FrameError('frame is not valid JSON');
      }
      out.push(value);
    }
    return out;
  }
}
