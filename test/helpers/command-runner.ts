// Runs a command module's handler in-process as main() would, against whatever daemons the test started.

import type { CommandContext, CommandSpec } from '../../src/cli/command.js';
import { parseInvocation } from '../../src/cli/main.js';
import { toOpenbpError } from '../../src/protocol/errors.js';
import type { Home } from '../../src/config/home.js';

/** A context for scripts: no terminal, no colour, no spinner. */
export function plainContext(home: Home): CommandContext {
  return {
    home, env: {}, stdinIsTTY: false, stdoutIsTTY: false, progress: () => {},
    spinner: async () => ({ update: () => {}, stop: () => {} }),
    colour: { ok: (t) => t, warn: (t) => t, fail: (t) => t },
  };
}

export interface CommandRun {
  status: number;
  /** stdout as text (bytes as latin1, so raw names stay byte for byte). */
  out: string;
  /** stderr, or the error's message when the command failed. */
  err: string;
}

export async function runCommand(ctx: CommandContext, cmd: CommandSpec, argv: string[]): Promise<CommandRun> {
  try {
    const inv = parseInvocation(cmd, argv);
    const r = await cmd.run(ctx, inv.opts, inv.args);
    const out = r.stdout === undefined ? '' : Buffer.isBuffer(r.stdout) ? r.stdout.toString('latin1') : typeof r.stdout === 'string' ? r.stdout : '<stream>';
    return { status: r.status, out, err: r.stderr ?? '' };
  } catch (e) {
    const err = toOpenbpError(e);
    return { status: err.status, out: '', err: err.message };
  }
}
