// The edge every per-job binary shares: reading its JSON spec file (--spec FILE) and its event descriptor.

import fs from 'node:fs';
import { OpenbpError } from '../protocol/errors.js';
import { SchemaError, type Schema } from '../protocol/schema.js';
import { EventWriter } from '../ipc/event-lines.js';

export const EVENT_FD = 3;

/** Reads and checks the spec; OpenbpError(INVALID_PARAMETER) when it is missing, unreadable or malformed. */
export function readJobSpec<T>(file: unknown, schema: Schema<T>): T {
  if (typeof file !== 'string' || file === '') throw new OpenbpError('INVALID_PARAMETER', '--spec FILE is required');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new OpenbpError('INVALID_PARAMETER', `cannot read spec file ${file}: ${(e as Error).message}`);
  }
  try {
    return schema.parse(JSON.parse(text));
  } catch (e) {
    if (e instanceof SchemaError || e instanceof SyntaxError) throw new OpenbpError('INVALID_PARAMETER', `spec file ${file}: ${e.message}`);
    throw e;
  }
}

/** Events go to fd 3 when it is open; a run by hand (nobody listening) discards them. */
export function jobEventSink(fd = EVENT_FD): (event: unknown) => void {
  try {
    fs.fstatSync(fd);
  } catch {
    return () => {};
  }
  const w = new EventWriter(fd);
  return (event) => w.write(event);
}
