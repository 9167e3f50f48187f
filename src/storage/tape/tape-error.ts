// The one error a tape device raises: the errno the st driver would have returned, plus a residual.

export type TapeErrno = 'ENOMEM' | 'ENOSPC' | 'EIO' | 'EACCES' | 'ENOMEDIUM' | 'EINVAL' | 'EBUSY' | 'ENXIO';

const TEXT: Record<TapeErrno, string> = {
  ENOMEM: 'Cannot allocate memory',
  ENOSPC: 'No space left on device',
  EIO: 'Input/output error',
  EACCES: 'Permission denied',
  ENOMEDIUM: 'No medium found',
  EINVAL: 'Invalid argument',
  EBUSY: 'Device or resource busy',
  ENXIO: 'No such device or address',
};

/** strerror() text of an errno, as `mt` prints it after the device name. */
export function errnoText(errno: TapeErrno): string {
  return TEXT[errno];
}

/** Maps a strerror() text (e.g. from `mt` stderr) back to the errno; undefined if unknown. */
export function errnoFromText(text: string): TapeErrno | undefined {
  for (const [k, v] of Object.entries(TEXT)) if (text.includes(v)) return k as TapeErrno;
  if (text.includes('Read-only file system')) return 'EACCES';
  return undefined;
}

export class TapeError extends Error {
  readonly errno: TapeErrno;
  /** Records or files that were not spaced/transferred (SCSI residual), when the operation stopped early. */
  readonly residual?: number;

  constructor(errno: TapeErrno, detail?: string, residual?: number) {
    super(detail ? `${errnoText(errno)}: ${detail}` : errnoText(errno));
    this.name = 'TapeError';
    this.errno = errno;
    if (residual !== undefined) this.residual = residual;
  }
}

export function isTapeError(e: unknown, errno?: TapeErrno): e is TapeError {
  return e instanceof TapeError && (errno === undefined || e.errno === errno);
}

/** Converts a Node system error (err.code) into a TapeError; other errors pass through unchanged. */
export function toTapeError(e: unknown, detail?: string): unknown {
  if (e instanceof TapeError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && code in TEXT) return new TapeError(code as TapeErrno, detail);
  if (code === 'EROFS') return new TapeError('EACCES', detail);
  if (code === 'ENOENT') return new TapeError('ENXIO', detail);
  return e;
}

/** The words of anything thrown, for an error message that names what failed. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
