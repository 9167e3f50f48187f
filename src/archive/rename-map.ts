// NetBackup rename pairs ("change /a to /b"): the longest matching FROM prefix wins, matched component-wise.

import { isWithin, normalizeAbsolute } from '../protocol/byte-path.js';

export class RenameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenameError';
  }
}

function checkedAbsolute(p: string, what: string): string {
  if (!p.startsWith('/')) throw new RenameError(`${what} '${p}' is not an absolute path`);
  const n = normalizeAbsolute(p);
  if (n.split('/').includes('..')) throw new RenameError(`${what} '${p}' contains '..'`);
  return n;
}

export class RenameMap {
  /** Pairs sorted by FROM length, longest first. */
  private readonly pairs: ReadonlyArray<readonly [string, string]>;

  /** Throws RenameError when a path is relative or contains '..'. */
  constructor(pairs: ReadonlyArray<readonly [string, string]>) {
    this.pairs = pairs
      .map(([from, to]) => [checkedAbsolute(from, 'rename source'), checkedAbsolute(to, 'rename target')] as const)
      .sort((a, b) => b[0].length - a[0].length);
  }

  /** The FROM of the pair that applies to `abs` (a normalised absolute path), or undefined. */
  matchOf(abs: string): string | undefined {
    for (const [from] of this.pairs) if (isWithin(abs, from)) return from;
    return undefined;
  }

  /** Where `abs` (normalised absolute) is restored to. */
  map(abs: string): string {
    for (const [from, to] of this.pairs) {
      if (!isWithin(abs, from)) continue;
      const rest = from === '/' ? abs.slice(1) : abs.slice(from.length + 1);
      if (rest === '') return to;
      return to === '/' ? `/${rest}` : `${to}/${rest}`;
    }
    return abs;
  }
}
