// Newline-delimited JSON on a descriptor: how per-job processes report to their parent. An event's Buffer fields
// (byte-fields.ts) go as raw bytes right after its line, which holds their placeholders.

import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { bytesAfter, joinBytes, splitBytes } from './byte-fields.js';

/** Writes one JSON object per line to a descriptor, synchronously (events are small and ordered). */
export class EventWriter {
  constructor(private readonly fd: number) {}

  write(event: unknown): void {
    const split = splitBytes(event);
    const text = Buffer.from(`${JSON.stringify(split ? split.json : event)}\n`, 'utf8');
    const line = split ? Buffer.concat([text, ...split.parts]) : text;
    let off = 0;
    while (off < line.length) {
      try {
        off += fs.writeSync(this.fd, line, off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw e;
      }
    }
  }
}

/** Reads JSON lines from a stream, calling onEvent for each parsed object; bad lines go to onBadLine. */
export function readEventLines(stream: Readable, onEvent: (v: unknown) => void, onBadLine: (line: string) => void = () => {}): Promise<void> {
  return new Promise((resolve) => {
    // Pieces of the current line (or of the bytes after one) not complete yet.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    // An event whose raw bytes are still coming, and how many it needs.
    let waiting: { value: unknown; need: number } | undefined;
    const take = (chunk: Buffer, upTo: number): Buffer => {
      const piece = chunk.subarray(0, upTo);
      if (pending.length === 0) return piece;
      const all = Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      return all;
    };
    stream.on('data', (data: Buffer) => {
      let chunk = data;
      while (chunk.length > 0) {
        if (waiting) {
          const missing = waiting.need - pendingBytes;
          if (chunk.length < missing) break;
          // A copy: the event may be held (bpbrm queues blocks for bpdbm) longer than the read's buffer should be.
          const area = Buffer.from(take(chunk, missing));
          chunk = chunk.subarray(missing);
          const event = waiting.value;
          waiting = undefined;
          onEvent(joinBytes(event, area));
          continue;
        }
        // Look for the line's end in the new chunk only: a batch of file records is one line of a few hundred KB.
        const nl = chunk.indexOf(10);
        if (nl < 0) break;
        const line = take(chunk, nl).toString('utf8');
        chunk = chunk.subarray(nl + 1);
        if (!line) continue;
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch {
          onBadLine(line);
          continue;
        }
        const need = bytesAfter(v);
        if (need > 0) waiting = { value: v, need };
        else onEvent(v);
      }
      if (chunk.length > 0) {
        pending.push(chunk);
        pendingBytes += chunk.length;
      }
    });
    stream.on('end', () => resolve());
    stream.on('error', () => resolve());
    stream.on('close', () => resolve());
  });
}
