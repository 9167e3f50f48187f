// Space-separated value tokens as NetBackup prints them: empty is *NULL*, awkward strings are double-quoted.

const NULL_TOKEN = '*NULL*';
const PLAIN = /^[\x21-\x7e]+$/;

/** Encodes one value as a single token (no spaces, no newlines); decodeTokens() inverts it. */
export function encodeToken(value: string | number): string {
  if (typeof value === 'number') return String(value);
  if (value === '') return NULL_TOKEN;
  if (PLAIN.test(value) && !value.includes('"') && !value.includes('\\') && value !== NULL_TOKEN) return value;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c >= 0x20 && c <= 0x7e) out += value[i];
    else if (c <= 0xff) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += '\\u{' + c.toString(16) + '}';
  }
  return out + '"';
}

/** Splits a line into values: bare words, "quoted strings" with backslash escapes, *NULL* as ''. */
export function decodeTokens(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line[i] === ' ') i++;
    if (i >= n) break;
    if (line[i] === '"') {
      i++;
      let v = '';
      for (;;) {
        if (i >= n) throw new Error(`unterminated quoted value in: ${line.slice(0, 80)}`);
        const ch = line[i]!;
        if (ch === '"') {
          i++;
          break;
        }
        if (ch !== '\\') {
          v += ch;
          i++;
          continue;
        }
        const e = line[i + 1];
        if (e === 'n') (v += '\n'), (i += 2);
        else if (e === 't') (v += '\t'), (i += 2);
        else if (e === 'x') {
          v += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (e === 'u') {
          const close = line.indexOf('}', i);
          v += String.fromCharCode(Number.parseInt(line.slice(i + 3, close), 16));
          i = close + 1;
        } else if (e !== undefined) (v += e), (i += 2);
        else throw new Error(`dangling escape in: ${line.slice(0, 80)}`);
      }
      out.push(v);
    } else {
      let j = i;
      while (j < n && line[j] !== ' ') j++;
      const w = line.slice(i, j);
      out.push(w === NULL_TOKEN ? '' : w);
      i = j;
    }
  }
  return out;
}
