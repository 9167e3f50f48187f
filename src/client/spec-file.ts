// What both client binaries share at their edge: reading the JSON spec file and finding the event descriptor.

import fs from 'node:fs';
import { OpenbpError } from '../protocol/errors.js';

/** Parses the JSON in FILE; OpenbpError(INVALID_PARAMETER) when it cannot be read or parsed. */
export function readSpecFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new OpenbpError('INVALID_PARAMETER', `cannot read spec file ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new OpenbpError('INVALID_PARAMETER', `spec file ${file} is not JSON: ${(e as Error).message}`);
  }
}

/** An event callback writing to `fd` when it is open, discarding events otherwise (a run by hand). */
export function eventSink(fd: number, make: (fd: number) => { write(event: unknown): void }): (event: unknown) => void {
  try {
    fs.fstatSync(fd);
  } catch {
    return () => {};
  }
  const w = make(fd);
  return (event) => w.write(event);
}
