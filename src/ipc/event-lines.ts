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
      rest += chunk;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
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
    });
    stream.on('end', () => resolve());
    stream.on('error', () => resolve());
    stream.on('close', () => resolve());
  });
}
