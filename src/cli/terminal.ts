// What a command shows on a terminal: a spinner (ora) on stderr and colour (chalk), both only on a TTY.

import type { Colour, Spinner } from './command.js';

const NO_SPINNER: Spinner = { update: () => {}, stop: () => {} };

/** NO_COLOR (any value) and non-TTY output turn colour off, as https://no-color.org asks. */
export function colourEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  return isTTY && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

export async function makeColour(enabled: boolean): Promise<Colour> {
  if (!enabled) return { ok: (t) => t, warn: (t) => t, fail: (t) => t };
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  return { ok: (t) => c.green(t), warn: (t) => c.yellow(t), fail: (t) => c.red(t) };
}

/** ora is loaded only when stderr is a terminal: commands in scripts and cron pay nothing for it. */
export async function makeSpinner(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): Promise<Spinner> {
  if (!stream.isTTY || env.CI !== undefined || env.TERM === 'dumb') return NO_SPINNER;
  const { default: ora } = await import('ora');
  const s = ora({ stream, color: env.NO_COLOR === undefined ? 'cyan' : false, discardStdin: false }).start();
  return { update: (text) => (s.text = text), stop: (final) => (final ? s.stopAndPersist({ symbol: '-', text: final }) : s.stop()) };
}
