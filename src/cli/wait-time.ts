// -w [hh:mm:ss]: how long a command waits for its job (0 or absent = until it ends).

import { OpenbpError } from '../protocol/errors.js';

export const WAIT_TIME = /^\d{1,2}:\d{2}:\d{2}$/;

export function waitSeconds(value: string | boolean | undefined): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return 0;
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) throw new OpenbpError('INVALID_PARAMETER', `-w wants hh:mm:ss, not '${value}'`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}
