// A file time as the catalogue keeps it (mtimeNs: decimal nanoseconds since the epoch), and as the (floor seconds,
// nanoseconds) pair that an lstat gives and the .f encodes.

const NS = 1_000_000_000n;

/** Whole seconds (rounded down, also before 1970) and the nanoseconds past them (0..999,999,999). */
export function splitNs(t: bigint): { sec: number; ns: number } {
  const sec = t >= 0n ? t / NS : -((-t + NS - 1n) / NS);
  return { sec: Number(sec), ns: Number(t - sec * NS) };
}

/** The decimal nanoseconds of (floor seconds, ns), without BigInt arithmetic for times from 1970 on. */
export function nsText(sec: number, ns: number): string {
  if (sec > 0) return `${sec}${String(ns).padStart(9, '0')}`;
  if (sec === 0) return String(ns);
  return (BigInt(sec) * NS + BigInt(ns)).toString();
}
