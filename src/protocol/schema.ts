// A small runtime schema: every message body is checked against its declaration on receipt.

export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path || 'message'}: expected ${expected}`);
    this.name = 'SchemaError';
  }

  /** The same error one level further out (`outer` is the field or index path around it). */
  within(outer: string): SchemaError {
    return new SchemaError(this.path === '' ? outer : this.path.startsWith('[') ? `${outer}${this.path}` : outer === '' ? this.path : `${outer}.${this.path}`, this.expected);
  }
}

/**
 * Parses a nested value without building its path: the path is only made when it is wrong (a batch of a
 * thousand file records is checked once per message; the happy path must not build "files[i].key" strings).
 */
function nested<T>(schema: Schema<T>, v: unknown, path: string, inner: string): T {
  try {
    return schema.parse(v);
  } catch (e) {
    if (e instanceof SchemaError) throw e.within(inner === '' ? path : inner.startsWith('[') ? `${path}${inner}` : path ? `${path}.${inner}` : inner);
    throw e;
  }
}

export interface Schema<T> {
  readonly describe: string;
  parse(value: unknown, path?: string): T;
  /** A valid value, for contract tests. */
  example(): T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function scalar<T>(describe: string, ok: (v: unknown) => boolean, sample: T): Schema<T> {
  return {
    describe,
    example: () => sample,
    parse(v, path = '') {
      if (!ok(v)) throw new SchemaError(path, describe);
      return v as T;
    },
  };
}

export const str = scalar<string>('string', (v) => typeof v === 'string', 'x\u00ff\n');
export const num = scalar<number>('number', (v) => typeof v === 'number' && Number.isFinite(v), 1.5);
export const int = scalar<number>('integer', (v) => typeof v === 'number' && Number.isSafeInteger(v), 42);
export const bool = scalar<boolean>('boolean', (v) => typeof v === 'boolean', true);
/** Raw bytes: a Buffer, sent beside the message's JSON (ipc/byte-fields.ts), not inside it. */
export const bytes = scalar<Buffer>('bytes', (v) => Buffer.isBuffer(v), Buffer.from([0, 0xff, 10]));
export const unknownValue = scalar<unknown>('anything', () => true, null);

export function oneOf<const T extends readonly string[]>(...values: T): Schema<T[number]> {
  return scalar<T[number]>(values.join('|'), (v) => typeof v === 'string' && values.includes(v), values[0] as T[number]);
}

export function arr<T>(item: Schema<T>, max = 10_000_000): Schema<T[]> {
  return {
    describe: `${item.describe}[]`,
    example: () => [item.example()],
    parse(v, path = '') {
      if (!Array.isArray(v) || v.length > max) throw new SchemaError(path, `array of ${item.describe}`);
      const out = new Array<T>(v.length);
      for (let i = 0; i < v.length; i++) {
        try {
          out[i] = item.parse(v[i]);
        } catch (e) {
          if (e instanceof SchemaError) throw e.within(`${path}[${i}]`);
          throw e;
        }
      }
      return out;
    },
  };
}

export function tuple<A, B>(a: Schema<A>, b: Schema<B>): Schema<[A, B]> {
  return {
    describe: `[${a.describe}, ${b.describe}]`,
    example: () => [a.example(), b.example()],
    parse(v, path = '') {
      if (!Array.isArray(v) || v.length !== 2) throw new SchemaError(path, 'pair');
      return [nested(a, v[0], path, '[0]'), nested(b, v[1], path, '[1]')];
    },
  };
}

export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
}

export function opt<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    optional: true,
    describe: `${inner.describe}?`,
    example: () => inner.example(),
    parse(v, path = '') {
      return v === undefined || v === null ? undefined : inner.parse(v, path);
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

export function obj<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  const fields = Object.entries(shape);
  return {
    describe: 'object',
    example: () => Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, s.example()])) as ObjectOf<S>,
    parse(v, path = '') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(path, 'object');
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, s] of fields) {
        const parsed = nested(s, src[key], path, key);
        if (parsed !== undefined) out[key] = parsed;
      }
      return out as ObjectOf<S>;
    },
  };
}

/** A record with string keys and values of one schema. */
export function dict<T>(value: Schema<T>): Schema<Record<string, T>> {
  return {
    describe: `{[key]: ${value.describe}}`,
    example: () => ({ k: value.example() }),
    parse(v, path = '') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(path, 'object');
      const out: Record<string, T> = {};
      for (const [k, x] of Object.entries(v)) out[k] = nested(value, x, path, k);
      return out;
    },
  };
}

export const empty = obj({});
