// How bpbackup -w and bprestore -w end: the EXIT STATUS line (stdout when 0 or 1, stderr otherwise),
// warnings about files first, coloured on a terminal.

import type { CommandContext, CommandResult } from './command.js';
import { statusMessage } from '../protocol/status.js';

export function exitStatusLine(status: number): string {
  return `EXIT STATUS ${status}: ${statusMessage(status)}`;
}

export function jobResult(ctx: CommandContext, status: number, warnings: readonly string[], detail: string | undefined, json: Record<string, unknown>): CommandResult {
  const line = exitStatusLine(status);
  const painted = status === 0 ? ctx.colour.ok(line) : status === 1 ? ctx.colour.warn(line) : ctx.colour.fail(`${line}${detail ? ` (${detail})` : ''}`);
  const errLines = [...warnings, ...(status > 1 ? [painted] : [])];
  return {
    status,
    json: { ...json, status, message: statusMessage(status) },
    ...(status <= 1 ? { stdout: `${painted}\n` } : {}),
    ...(errLines.length ? { stderr: errLines.join('\n') } : {}),
  };
}
