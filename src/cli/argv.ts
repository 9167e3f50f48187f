// Turns NetBackup-style argv (-backupid ID, -w [hh:mm:ss], -d mm/dd/yyyy [hh:mm:ss]) into commander's form.

import type { OptionSpec } from './command.js';

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
