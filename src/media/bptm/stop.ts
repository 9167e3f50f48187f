// The first failure of a bptm process, shared by its loops: whoever notices first decides the status.

import { OpenbpError } from '../../protocol/errors.js';

export class Stop {
  private err: OpenbpError | undefined;
  private readonly listeners: ((e: OpenbpError) => void)[] = [];

  get stopped(): boolean {
    return this.err !== undefined;
  }

  get reason(): OpenbpError | undefined {
    return this.err;
  }

  /** Records the failure (only the first one counts) and wakes everything waiting. */
  trigger(e: OpenbpError): void {
    if (this.err) return;
    this.err = e;
    for (const l of this.listeners.splice(0)) l(e);
  }

  /** Calls fn once, when the job stops (now if it already has). */
  onStop(fn: (e: OpenbpError) => void): void {
    if (this.err) fn(this.err);
    else this.listeners.push(fn);
  }

  /** Throws the failure if there is one. */
  check(): void {
    if (this.err) throw this.err;
  }
}
