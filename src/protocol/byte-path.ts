// Paths are bytes, not text: inside openbp a path is a "byte string" (one JS char per byte, latin1).
// Names that are not valid UTF-8 survive every hop (JSON, catalogue, tar) unchanged.

declare const brand: unique symbol;
export type BytePath = string & { readonly [brand]: 'BytePath' };

export function bytePathFromBuffer(b: Buffer): BytePath {
  return b.toString('latin1') as BytePath;
}

export function bytePathToBuffer(p: BytePath | string): Buffer {
  return Buffer.from(p, 'latin1');
}

/** A path typed by a user (argv, list files): UTF-8 text turned into its bytes. */
export function bytePathFromText(text: string): BytePath {
  return Buffer.from(text, 'utf8').toString('latin1') as BytePath;
}

/** For display: the bytes as UTF-8 text (invalid sequences become U+FFFD). */
export function bytePathToText(p: BytePath | string): string {
  return Buffer.from(p, 'latin1').toString('utf8');
}

/** Normalises an absolute byte path: collapses "//" and "/./", drops a trailing "/"; ".." is kept for the caller to refuse. */
export function normalizeAbsolute(p: string): BytePath {
  if (isNormalAbsolute(p)) return p as BytePath;
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  return ('/' + parts.join('/')) as BytePath;
}

/** True when normalizeAbsolute would return `p` itself (the catalogue's every record: checked without splitting it). */
function isNormalAbsolute(p: string): boolean {
  if (p === '/') return true;
  if (p.charCodeAt(0) !== 0x2f || p.charCodeAt(p.length - 1) === 0x2f) return false;
  if (p.includes('//') || p.includes('/./')) return false;
  return !p.endsWith('/.');
}

/** True when `p` equals `dir` or lies below it (both normalised absolute paths). */
export function isWithin(p: string, dir: string): boolean {
  if (dir === '/') return p.startsWith('/');
  return p === dir || p.startsWith(dir + '/');
}
