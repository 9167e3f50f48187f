// What a command module declares: its name, help, NetBackup-style options and one handler.

import type { Home } from '../config/home.js';

export type OptionKind = 'flag' | 'string' | 'int' | 'date' | 'list';

export interface OptionSpec {
  /** The flag as NetBackup writes it: '-w', '-backupid', '-all_columns'. */
  readonly flag: string;
  /** Key in the parsed options object. */
  readonly key: string;
  readonly kind: OptionKind;
  /** Placeholder shown in help for the value. */
  readonly arg?: string;
  /** For flags that may take a value: the value is taken only when the next word matches. */
  readonly optionalValue?: RegExp;
  /** For options with a value: the words after it that match are part of the value too, space-joined (`-weekday Monday 1`). */
  readonly absorb?: RegExp;
  readonly help: string;
}

export interface CommandContext {
  readonly home: Home;
  readonly env: NodeJS.ProcessEnv;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  /** Writes a progress line now (stderr), for long waits. */
  readonly progress: (text: string) => void;
  /** A live status line on a terminal (stderr); does nothing when stderr is not a TTY. */
  readonly spinner: () => Promise<Spinner>;
  /** Colours for text meant for a terminal; plain when stdout is not a TTY or NO_COLOR is set. */
  readonly colour: Colour;
  /** --json was given: only the result's `json` is printed (a command may skip building its text). */
  readonly json?: boolean;
}

export interface Spinner {
  update(text: string): void;
  /** Ends the spinner; with `final`, that line stays on the terminal (a short job may end before any update). */
  stop(final?: string): void;
}

export interface Colour {
  ok(text: string): string;
  warn(text: string): string;
  fail(text: string): string;
}

export interface CommandResult {
  /** NetBackup status; the process exit code derives from it. */
  readonly status: number;
  /** Text, bytes, or a stream of chunks for large binary output (written with backpressure). */
  readonly stdout?: string | Buffer | AsyncIterable<Uint8Array>;
  readonly stderr?: string;
  /** Machine-readable result for --json. */
  readonly json?: unknown;
}

export type ParsedOptions = Record<string, string | number | boolean | string[] | undefined>;

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Positional arguments, e.g. '[paths...]'. */
  readonly args?: string;
  readonly options: readonly OptionSpec[];
  /** Extra help text (examples, exit status). */
  readonly epilog?: string;
  run(ctx: CommandContext, opts: ParsedOptions, args: string[]): Promise<CommandResult>;
  /**
   * What a spare of this binary (ipc/spare-process.ts) does while it waits to be handed its run: load the code the
   * run will need, start spares of its own children. `role` is what its spawner said it will be. Never prints.
   */
  spare?(home: Home, role: readonly string[]): Promise<void>;
}

export function defineCommand(spec: CommandSpec): CommandSpec {
  return spec;
}
