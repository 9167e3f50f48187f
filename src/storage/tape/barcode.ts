// Barcode rules as mhvtl applies them: media ID, cartridge kind and density derived from the label.

export type MediaKind = 'data' | 'worm' | 'cleaning';

export interface DensityInfo {
  readonly density: string;
  readonly densityCode: number;
}

const LTO_CODES: Record<string, number> = {
  'LTO-1': 0x40, 'LTO-2': 0x42, 'LTO-3': 0x44, 'LTO-4': 0x46, 'LTO-5': 0x58,
  'LTO-6': 0x5a, 'LTO-7': 0x5c, 'LTO-7-M8': 0x5d, 'LTO-8': 0x5e, 'LTO-9': 0x60,
};
const WORM_SUFFIX: Record<string, string> = { LT: 'LTO-3', LU: 'LTO-4', LV: 'LTO-5', LW: 'LTO-6' };
export const DEFAULT_DENSITY: DensityInfo = { density: 'LTO-5', densityCode: 0x58 };

const BARCODE = /^[A-Za-z0-9]{1,12}$/;

export function isValidBarcode(barcode: string): boolean {
  return BARCODE.test(barcode);
}

/**
 * NetBackup's media ID for a barcode: an LTO label (six characters and a media suffix such as L5 or
 * M8, e.g. A00000L5) gives its first six characters, as NetBackup's default rule for LTO labels does;
 * any other barcode gives its last six (01450000 -> 450000). vm.conf MEDIA_ID_BARCODE_CHARS is not read yet.
 */
export function mediaIdOf(barcode: string): string {
  const b = barcode.toUpperCase();
  if (/^[A-Z0-9]{6}(L[1-9T-W]|M8)$/.test(b)) return b.slice(0, 6);
  return b.slice(-6);
}

/** `CLN*` = cleaning, `W*` or an `L[TUVW]` suffix = WORM, anything else = data. */
export function mediaKindOf(barcode: string): MediaKind {
  const b = barcode.toUpperCase();
  if (b.startsWith('CLN')) return 'cleaning';
  if (b.startsWith('W') || /^[A-Z0-9]{6,8}L[TUVW]$/.test(b)) return 'worm';
  return 'data';
}

/** Density from the LTO suffix: `L5` = LTO-5, `M8` = LTO-7-M8, `LT..LW` = LTO-3..6 WORM. */
export function densityOf(barcode: string, fallback: DensityInfo = DEFAULT_DENSITY): DensityInfo {
  const b = barcode.toUpperCase();
  let density: string | undefined;
  const n = /L([1-9])$/.exec(b);
  if (n) density = `LTO-${n[1]}`;
  else if (/M8$/.test(b)) density = 'LTO-7-M8';
  else {
    const w = /(L[TUVW])$/.exec(b);
    if (w) density = WORM_SUFFIX[w[1]!];
  }
  return density ? { density, densityCode: LTO_CODES[density]! } : fallback;
}

/**
 * Expands `A00000L5-A00009L5` (same prefix and suffix, a numeric run that counts) and comma lists
 * (`A00000L5,CLN001L1`). Throws RangeError on a malformed range.
 */
export function expandBarcodes(spec: string): string[] {
  const out: string[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const dash = part.indexOf('-', 1);
    if (dash < 0 || !isValidBarcode(part.slice(0, dash)) || !/\d/.test(part)) {
      if (!isValidBarcode(part)) throw new RangeError(`invalid barcode '${part}'`);
      out.push(part);
      continue;
    }
    const from = part.slice(0, dash);
    const to = part.slice(dash + 1);
    out.push(...expandRange(from, to, part));
  }
  for (const b of out) if (!isValidBarcode(b)) throw new RangeError(`invalid barcode '${b}'`);
  if (new Set(out).size !== out.length) throw new RangeError('duplicate barcodes');
  return out;
}

/** The numeric field is the run of digits around the characters where the two ends differ. */
function expandRange(from: string, to: string, part: string): string[] {
  const fail = (why: string) => new RangeError(`invalid barcode range '${part}': ${why}`);
  if (!isValidBarcode(to)) throw fail('bad end barcode');
  if (from === to) return [from];
  if (from.length !== to.length) throw fail('both ends need the same length');
  let i = 0;
  while (from[i] === to[i]) i++;
  let j = from.length - 1;
  while (from[j] === to[j]) j--;
  const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  while (i > 0 && digit(from[i - 1])) i--;
  while (j < from.length - 1 && digit(from[j + 1])) j++;
  const a = from.slice(i, j + 1);
  const b = to.slice(i, j + 1);
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) throw fail('the ends may differ only in a number');
  const lo = Number(a);
  const hi = Number(b);
  if (hi < lo) throw fail('end before start');
  if (hi - lo > 100000) throw fail('too many barcodes');
  const out: string[] = [];
  for (let k = lo; k <= hi; k++) out.push(`${from.slice(0, i)}${String(k).padStart(a.length, '0')}${from.slice(j + 1)}`);
  return out;
}
