// The one error record openbp raises and carries across sockets: a code, a status, a message.

import { STATUS, type StatusCode } from './status.js';

export interface ErrorRecord {
  code: StatusCode;
  status: number;
  message: string;
  hint?: string;
  jobid?: number;
  client?: string;
  media?: string;
}

export class OpenbpError extends Error implements ErrorRecord {
  readonly code: StatusCode;
  readonly status: number;
  readonly hint?: string;
  readonly jobid?: number;
  readonly client?: string;
  readonly media?: string;

  constructor(code: StatusCode, message?: string, extra: Partial<Omit<ErrorRecord, 'code' | 'status' | 'message'>> & { cause?: unknown } = {}) {
    super(message ?? STATUS[code].message, extra.cause !== undefined ? { cause: extra.cause } : undefined);
    this.name = 'OpenbpError';
    this.code = code;
    this.status = STATUS[code].status;
    if (extra.hint !== undefined) this.hint = extra.hint;
    if (extra.jobid !== undefined) this.jobid = extra.jobid;
    if (extra.client !== undefined) this.client = extra.client;
    if (extra.media !== undefined) this.media = extra.media;
  }

  toRecord(): ErrorRecord {
    const r: ErrorRecord = { code: this.code, status: this.status, message: this.message };
    if (this.hint !== undefined) r.hint = this.hint;
    if (this.jobid !== undefined) r.jobid = this.jobid;
    if (this.client !== undefined) r.client = this.client;
    if (this.media !== undefined) r.media = this.media;
    return r;
  }

  static fromRecord(r: ErrorRecord): OpenbpError {
    const code = (r.code in STATUS ? r.code : 'SYSTEM_ERROR') as StatusCode;
    const e = new OpenbpError(code, r.message, r);
    return e;
  }
}

/** Wraps anything thrown into an OpenbpError, keeping openbp errors as they are. */
export function toOpenbpError(e: unknown, fallback: StatusCode = 'SYSTEM_ERROR'): OpenbpError {
  if (e instanceof OpenbpError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new OpenbpError(fallback, msg, { cause: e });
}
