// The one place where a command meets the process: argv in, output and exit status out.

import tty from 'node:tty';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { attributeName, commanderName, normalizeArgv, parseDeclaredOptions } from './argv.js';
import type { CommandContext, CommandResult, CommandSpec, OptionSpec, ParsedOptions } from './command.js';
import { resolveHome } from '../config/home.js';
import { OpenbpError, toOpenbpError } from '../protocol/errors.js';
import { SchemaError } from '../protocol/schema.js';
import { formatError } from './format-error.js';
import { colourEnabled, makeColour, makeSpinner } from './terminal.js';
import { awaitInvocation, spareControl, SPARE_FLAG } from '../ipc/spare-process.js';
import { dropSpares } from '../ipc/spawn.js';

// commander costs ~40 ms per process start: it is loaded only for help, errors and unusual argv.
function commander(): typeof import('commander') {
  return createRequire(import.meta.url)('commander') as typeof import('commander');
}

function buildProgram(spec: CommandSpec): Command {
  const { Command, Option } = commander();
  const program = new Command(spec.name);
  program.description(spec.summary);
  program.exitOverride();
  program.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  program.allowExcessArguments(spec.args !== undefined);
  program.helpOption('--help', 'display help for the command');
  if (spec.args) program.arguments(spec.args);
  const bySpec = new Map<string, OptionSpec>();
  for (const o of spec.options) {
    const name = commanderName(o);
    const flags = o.kind === 'flag' ? (o.optionalValue ? `${name} [${o.arg ?? 'value'}]` : name) : `${name} <${o.arg ?? 'value'}>`;
    const opt = new Option(flags, o.help);
    if (o.kind === 'list') opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    bySpec.set(opt.attributeName(), o);
    program.addOption(opt);
  }
  program.option('--json', 'print the result as JSON');
  program.configureHelp({
    optionTerm: (option) => {
      const o = bySpec.get(option.attributeName());
      if (!o) return option.flags;
      if (o.kind === 'flag') return o.optionalValue ? `${o.flag} [${o.arg ?? 'value'}]` : o.flag;
      return `${o.flag} ${o.arg ?? 'value'}`;
    },
    subcommandTerm: (c) => c.name(),
  });
  if (spec.epilog) program.addHelpText('after', `\n${spec.epilog}`);
  return program;
}

function convert(spec: CommandSpec, raw: Record<string, unknown>): ParsedOptions {
  const out: ParsedOptions = {};
  for (const o of spec.options) {
    const attr = attributeName(commanderName(o));
    const v = raw[attr];
    if (v === undefined) continue;
    if (o.kind === 'flag') out[o.key] = o.optionalValue ? (typeof v === 'string' && v !== '' ? v : true) : true;
    else if (o.kind === 'int') {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new OpenbpError('INVALID_PARAMETER', `${o.flag} needs an integer, not '${String(v)}'`);
      out[o.key] = n;
    } else out[o.key] = v as string | string[];
  }
  return out;
}

export interface ParsedInvocation {
  readonly help?: string;
  readonly opts: ParsedOptions;
  readonly args: string[];
  readonly json: boolean;
}

/** Parses argv against a command spec; throws OpenbpError(20) on bad usage. */
export function parseInvocation(spec: CommandSpec, argv: readonly string[]): ParsedInvocation {
  const normalized = normalizeArgv(argv, spec.options);
  const simple = parseDeclaredOptions(spec, normalized);
  if (simple) return { opts: convert(spec, simple.raw), args: simple.args, json: simple.raw.json === true };
  const program = buildProgram(spec);
  if (normalized.includes('--help')) return { help: program.helpInformation() + (spec.epilog ? `\n${spec.epilog}\n` : ''), opts: {}, args: [], json: false };
  try {
    program.parse(normalized, { from: 'user' });
  } catch (e) {
    if (e instanceof commander().CommanderError) {
      const msg = e.message.replace(/^error: /, '').replace(/'--opt-([a-z0-9-]+)/g, (_m, k: string) => `'${flagFor(spec, k)}`);
      throw new OpenbpError('INVALID_PARAMETER', msg, { hint: `see ${spec.name} --help` });
    }
    throw e;
  }
  const raw = program.opts() as Record<string, unknown>;
  return { opts: convert(spec, raw), args: program.args, json: raw.json === true };
}

function flagFor(spec: CommandSpec, kebab: string): string {
  for (const o of spec.options) if (commanderName(o) === `--opt-${kebab}`) return o.flag;
  return kebab;
}

function exitCodeFor(status: number): number {
  return status > 255 ? 252 : status;
}

/**
 * A spare's wait (`--spare FD`, started by keepSpare): prepares, then waits to be handed its run. The run's arguments,
 * with descriptors 0-2 and process.argv now the run's; undefined when it is not needed (the process just ends).
 */
async function runAsSpare(spec: CommandSpec, argv: readonly string[]): Promise<string[] | undefined> {
  const ctl = spareControl(argv)!;
  try {
    await spec.spare?.(resolveHome(process.env), argv.slice(2));
  } catch {
    // Nothing prepared: the run loads what it needs itself.
  }
  const args = awaitInvocation(ctl);
  if (args === undefined) dropSpares();
  else process.argv = [process.argv[0]!, process.argv[1]!, ...args];
  return args;
}

/** Runs a command as this process: parses argv, runs, prints, sets the exit code. */
export async function main(spec: CommandSpec, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // First: a spare's standard descriptors are set when its run comes (nothing may have opened them before).
  if (argv[0] === SPARE_FLAG) {
    let args: string[] | undefined;
    try {
      args = await runAsSpare(spec, argv);
    } catch (e) {
      const err = toOpenbpError(e);
      process.stderr.write(`${formatError(spec.name, err)}\n`);
      process.exitCode = exitCodeFor(err.status);
      return;
    }
    if (args === undefined) return;
    argv = args;
  }
  process.title = spec.name;
  // A standard error that cannot be written (a full disk, a closed pipe) has nowhere to report to: the exit
  // status still says how the command went (without a listener, the write's error would end the process with 1).
  process.stderr.on('error', () => {});
  const ctx: CommandContext = {
    home: resolveHome(process.env),
    env: process.env,
    // isatty, not process.stdin.isTTY: creating process.stdin would make a piped stdin non-blocking for every
    // process sharing it (bptm and nbtar read their data pipe with plain read(2)).
    stdinIsTTY: tty.isatty(0),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    progress: (text) => process.stderr.write(`${text}\n`),
    spinner: () => makeSpinner(process.stderr, process.env),
    colour: await makeColour(colourEnabled(process.env, Boolean(process.stdout.isTTY))),
  };
  let result: CommandResult;
  let json = false;
  try {
    const inv = parseInvocation(spec, argv);
    json = inv.json;
    result = inv.help !== undefined ? { status: 0, stdout: inv.help } : await spec.run(json ? { ...ctx, json } : ctx, inv.opts, inv.args);
  } catch (e) {
    const err = e instanceof SchemaError ? new OpenbpError('INVALID_PARAMETER', e.message) : toOpenbpError(e);
    if (process.env.OPENBP_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    result = { status: err.status, stderr: formatError(spec.name, err), json: { error: err.toRecord() } };
  }
  try {
    await writeAll(process.stdout, json ? `${JSON.stringify(result.json ?? null)}\n` : result.stdout);
  } catch (e) {
    // A streamed output can fail half-way (e.g. a media read error), or standard output cannot take it (a full
    // disk): report it like any other error.
    const err = toOpenbpError(e);
    result = { status: err.status, stderr: formatError(spec.name, err) };
  }
  if (result.stderr) process.stderr.write(result.stderr.endsWith('\n') ? result.stderr : `${result.stderr}\n`);
  if (result.status > 255) process.stderr.write(`EXIT status = ${result.status}\n`);
  process.exitCode = exitCodeFor(result.status);
}

/**
 * The error of a write to standard output: none for EPIPE (the reader went away, as `| head` does: the output
 * just ends), else status 14 (a full disk must not pass for a complete listing).
 */
function outputError(e: NodeJS.ErrnoException): OpenbpError | undefined {
  if (e.code === 'EPIPE') return undefined;
  return new OpenbpError('FILE_WRITE_FAILED', `cannot write standard output: ${e.message}`, { cause: e });
}

/**
 * Writes the command's output, waiting for the stream between chunks, until it has gone out. Throws outputError's
 * failure; EPIPE just ends the output.
 */
async function writeAll(stream: NodeJS.WriteStream, data: string | Buffer | AsyncIterable<Uint8Array> | undefined): Promise<void> {
  if (data === undefined) return;
  const chunks = typeof data === 'string' || Buffer.isBuffer(data) ? (data.length > 0 ? [data] : []) : data;
  let broken: NodeJS.ErrnoException | undefined;
  stream.on('error', (e: NodeJS.ErrnoException) => (broken ??= e));
  for await (const chunk of chunks) {
    if (broken) break;
    if (!stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done);
          stream.off('error', done);
          resolve();
        };
        stream.once('drain', done);
        stream.once('error', done);
      });
    }
  }
  await flushed(stream); // the last write's failure too
  const failure = broken && outputError(broken);
  if (failure) throw failure;
}

/** Resolves once what was written to the stream so far has gone out (or failed: its error listener has it). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
