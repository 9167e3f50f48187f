// One line per error: "command: message (status N)", hint appended when the user can act on it.

import type { OpenbpError } from '../protocol/errors.js';

export function formatError(command: string, err: OpenbpError): string {
  const hint = err.hint ? `; ${err.hint}` : '';
  return `${command}: ${err.message.replace(/\s*\n\s*/g, ' ')} (status ${err.status})${hint}`;
}
