// Newline-delimited JSON on a descriptor: how per-job processes report to their parent.

import fs from 'node:fs';
import type { Readable } from 'node:stream';

/** Writes one JSON object per line to a descriptor, synchronously (events are small and ordered). */
export class EventWriter {
  constructor(private readonly fd: number) {}

  write(event: unknown): void {
    const line = Buffer.from(`${JSON.stringify(event)}\n`, 'utf8');
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
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      // Look for line ends in the new chunk only: a batch of file records is one line of a few hundred KB.
      let from = 0;
      let nl: number;
      while ((nl = chunk.indexOf('\n', from)) >= 0) {
        const line = rest === '' ? chunk.slice(from, nl) : rest + chunk.slice(from, nl);
        rest = '';
        from = nl + 1;
        if (!line) continue;
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch {
          onBadLine(line);
          continue;
        }
        onEvent(v);
      }
      if (from < chunk.length) rest += chunk.slice(from);
    });
    stream.on('end', () => resolve());
    stream.on('error', () => resolve());
    stream.on('close', () => resolve());
  });
}
