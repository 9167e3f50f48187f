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
    const r = await cmd.run(inv.json ? { ...ctx, json: true } : ctx, inv.opts, inv.args);
    if (inv.json) return { status: r.status, out: `${JSON.stringify(r.json ?? null)}\n`, err: r.stderr ?? '' };
    return { status: r.status, out: await text(r.stdout), err: r.stderr ?? '' };
  } catch (e) {
    const err = toOpenbpError(e);
    return { status: err.status, out: '', err: err.message };
  }
}

/** A result's stdout as latin1 text; a streamed one is read to its end as main() would write it. */
async function text(stdout: string | Buffer | AsyncIterable<Uint8Array> | undefined): Promise<string> {
  if (stdout === undefined) return '';
  if (typeof stdout === 'string') return stdout;
  if (Buffer.isBuffer(stdout)) return stdout.toString('latin1');
  const chunks: Buffer[] = [];
  for await (const c of stdout) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('latin1');
}
