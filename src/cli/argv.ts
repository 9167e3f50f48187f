// Turns NetBackup-style argv (-backupid ID, -w [hh:mm:ss], -d mm/dd/yyyy [hh:mm:ss]) into commander's form.

import type { CommandSpec, OptionSpec } from './command.js';

const TIME = /^\d{1,2}:\d{2}(:\d{2})?$/;

export function commanderName(spec: OptionSpec): string {
  return `--opt-${spec.key}`;
}

/**
 * Rewrites argv so that every declared option becomes `--opt-key[=value]`: commander then never
 * guesses whether the next word is a value. Dates absorb a following time word.
 */
export function normalizeArgv(argv: readonly string[], specs: readonly OptionSpec[]): string[] {
  const byFlag = new Map<string, OptionSpec>();
  for (const s of specs) byFlag.set(s.flag, s);
  const out: string[] = [];
  let positionalOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (positionalOnly) {
      out.push(tok);
      continue;
    }
    if (tok === '--') {
      positionalOnly = true;
      out.push(tok);
      continue;
    }
    if (tok === '-help' || tok === '--help' || tok === '-h' && !byFlag.has('-h')) {
      out.push('--help');
      continue;
    }
    const spec = byFlag.get(tok);
    if (!spec) {
      out.push(tok);
      continue;
    }
    const name = commanderName(spec);
    if (spec.kind === 'flag') {
      if (spec.optionalValue && i + 1 < argv.length && spec.optionalValue.test(argv[i + 1]!)) {
        out.push(`${name}=${argv[++i]}`);
      } else if (spec.optionalValue) {
        out.push(`${name}=`);
      } else {
        out.push(name);
      }
      continue;
    }
    if (i + 1 >= argv.length) {
      out.push(name); // commander reports the missing value
      continue;
    }
    let value = argv[++i]!;
    if (spec.kind === 'date' && i + 1 < argv.length && TIME.test(argv[i + 1]!)) value += ` ${argv[++i]}`;
    if (spec.absorb) while (i + 1 < argv.length && spec.absorb.test(argv[i + 1]!)) value += ` ${argv[++i]}`;
    out.push(`${name}=${value}`);
  }
  return out;
}

/** commander's attribute name for a long option: `--opt-base-id` -> `optBaseId`. */
export function attributeName(long: string): string {
  return long.replace(/^--/, '').split('-').reduce((acc, word) => acc + word[0]!.toUpperCase() + word.slice(1));
}

/**
 * Reads normalized argv made only of declared options (and operands where the command takes them)
 * without commander, into commander's attribute form. Anything else (help, `--`, unknown or repeated
 * options, a value commander would reject, too few or too many operands) returns undefined: commander
 * then parses it and words the error.
 */
export function parseDeclaredOptions(spec: CommandSpec, normalized: readonly string[]): { raw: Record<string, unknown>; args: string[] } | undefined {
  const byName = new Map<string, OptionSpec>();
  for (const o of spec.options) byName.set(commanderName(o), o);
  const raw: Record<string, unknown> = {};
  const args: string[] = [];
  for (const tok of normalized) {
    if (!tok.startsWith('-')) {
      args.push(tok);
      continue;
    }
    if (tok === '--json') {
      if (raw.json !== undefined) return undefined;
      raw.json = true;
      continue;
    }
    const eq = tok.indexOf('=');
    const name = eq < 0 ? tok : tok.slice(0, eq);
    const o = byName.get(name);
    if (!o) return undefined;
    const attr = attributeName(name);
    if (o.kind === 'list') {
      if (eq < 0) return undefined;
      raw[attr] = [...((raw[attr] as string[] | undefined) ?? []), tok.slice(eq + 1)];
      continue;
    }
    if (raw[attr] !== undefined) return undefined;
    if (o.kind === 'flag' && !o.optionalValue) {
      if (eq >= 0) return undefined;
      raw[attr] = true;
    } else {
      if (eq < 0) return undefined;
      raw[attr] = tok.slice(eq + 1);
    }
  }
  if (!operandsFit(spec.args, args.length)) return undefined;
  return { raw, args };
}

function operandsFit(declared: string | undefined, n: number): boolean {
  if (declared === undefined) return n === 0;
  const words = declared.split(/\s+/).filter(Boolean);
  const required = words.filter((w) => w.startsWith('<')).length;
  const variadic = words.length > 0 && words[words.length - 1]!.includes('...');
  return n >= required && (variadic || n <= words.length);
}
