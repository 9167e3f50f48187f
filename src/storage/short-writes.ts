// What a short writev left: shared by the writers that hand several buffers to one system call.

/** The parts of `blocks` still to write after the first n bytes of them went. */
export function unwrittenAfter<T extends Uint8Array>(blocks: readonly T[], n: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  for (const b of blocks) {
    if (n >= b.length) n -= b.length;
    else {
      rest.push(n > 0 ? b.subarray(n) : b);
      n = 0;
    }
  }
  return rest;
}
