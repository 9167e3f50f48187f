// Buffers in a message travel as raw bytes beside its JSON, not as base64 inside it: a Buffer field (of the
// message, or of an object field of it, such as a request's body) becomes {"$bytes":[offset,length]} in the JSON,
// its bytes go into an area sent after the JSON, and the reader puts a view of that area back in its place.
// (bpbkar's .f blocks cross two processes on every backup: about 3 MB for 100,000 files.)

type Fields = Record<string, unknown>;

function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function hasBytes(v: Fields): boolean {
  for (const k in v) if (Buffer.isBuffer(v[k])) return true;
  return false;
}

/**
 * The value with its Buffer fields (at its top level and one level down) replaced by placeholders, and their bytes
 * in order; undefined when it has none (then it is sent as plain JSON).
 */
export function splitBytes(value: unknown): { json: unknown; parts: Buffer[] } | undefined {
  if (!isFields(value)) return undefined;
  const nested = Object.keys(value).filter((k) => isFields(value[k]) && hasBytes(value[k] as Fields));
  if (!hasBytes(value) && nested.length === 0) return undefined;
  const parts: Buffer[] = [];
  let offset = 0;
  const replace = (fields: Fields): Fields => {
    const out: Fields = {};
    for (const k in fields) {
      const v = fields[k];
      if (Buffer.isBuffer(v)) {
        out[k] = { $bytes: [offset, v.length] };
        parts.push(v);
        offset += v.length;
      } else out[k] = v;
    }
    return out;
  };
  const json = replace(value);
  for (const k of nested) (json as Fields)[k] = replace(value[k] as Fields);
  return { json, parts };
}

function placeholder(v: unknown): [number, number] | undefined {
  if (!isFields(v)) return undefined;
  const at = v.$bytes;
  if (!Array.isArray(at) || at.length !== 2 || Object.keys(v).length !== 1) return undefined;
  const [offset, length] = at as unknown[];
  return Number.isSafeInteger(offset) && Number.isSafeInteger(length) ? [offset as number, length as number] : undefined;
}

/** Calls visit for each placeholder, at the value's top level and one level down (where splitBytes puts them). */
function eachPlaceholder(value: unknown, visit: (fields: Fields, key: string, at: [number, number]) => void): void {
  const scan = (fields: Fields, depth: number): void => {
    for (const k in fields) {
      const at = placeholder(fields[k]);
      if (at) visit(fields, k, at);
      else if (depth === 0 && isFields(fields[k])) scan(fields[k] as Fields, 1);
    }
  };
  if (isFields(value)) scan(value, 0);
}

/** Puts the bytes back where splitBytes left placeholders (views of `area`); throws RangeError past its end. */
export function joinBytes(value: unknown, area: Buffer): unknown {
  eachPlaceholder(value, (fields, key, [offset, length]) => {
    if (offset < 0 || length < 0 || offset + length > area.length) throw new RangeError(`bytes [${offset}, +${length}) outside the ${area.length} that came`);
    fields[key] = area.subarray(offset, offset + length);
  });
  return value;
}

/** The number of raw bytes a line's placeholders ask for (the event lines' reader reads them after the line). */
export function bytesAfter(value: unknown): number {
  let end = 0;
  eachPlaceholder(value, (_fields, _key, [offset, length]) => (end = Math.max(end, offset + length)));
  return end;
}
