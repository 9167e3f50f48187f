// bpplinclude: list, add or delete the backup selections (file list) of a policy.

import fs from 'node:fs';
import { defineCommand } from '../cli/command.js';
import { loadPolicy, pickAction, savePolicy } from '../cli/policy-edit.js';
import { OpenbpError } from '../protocol/errors.js';
import { NEW_STREAM, SELECTION_DIRECTIVES } from '../protocol/backup-streams.js';


export function checkSelection(path: string): string {
  if (SELECTION_DIRECTIVES.has(path)) return path;
  if (!path.startsWith('/') || /[\n\r\0]/.test(path)) throw new OpenbpError('INVALID_PARAMETER', `'${path}' is not an absolute path`);
  return path;
}

function readListFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new OpenbpError('FILE_OPEN_FAILED', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

export const command = defineCommand({
  name: 'bpplinclude',
  summary: 'list, add or delete the backup selections of a policy',
  args: '<policy> [paths...]',
  options: [
    { flag: '-add', key: 'add', kind: 'flag', help: 'add the paths that follow' },
    { flag: '-delete', key: 'delete', kind: 'flag', help: 'delete the paths that follow' },
    { flag: '-f', key: 'file', kind: 'string', arg: 'list_file', help: 'with -add or -delete: read the paths from this file, one a line' },
    { flag: '-L', key: 'listLong', kind: 'flag', help: 'list the selections (default)' },
    { flag: '-l', key: 'listRaw', kind: 'flag', help: 'list the selections as raw INCLUDE records' },
    { flag: '-U', key: 'listHuman', kind: 'flag', help: 'list the selections' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'Exit status: 0; 230 unknown policy; 20 a path that is not absolute, or -delete of a path not in the list.',
  async run(ctx, opts, args) {
    const [name, ...words] = args;
    if (name === undefined) throw new OpenbpError('INVALID_PARAMETER', 'give a policy name');
    const action = pickAction(opts, { add: '-add', delete: '-delete', listLong: '-L', listRaw: '-l', listHuman: '-U' }) ?? 'listLong';
    const paths = [...words, ...(opts.file !== undefined ? readListFile(String(opts.file)) : [])];
    if (action !== 'add' && action !== 'delete') {
      if (paths.length > 0) throw new OpenbpError('INVALID_PARAMETER', 'paths need -add or -delete');
      const policy = await loadPolicy(ctx.home, name);
      const out = action === 'listRaw'
        ? policy.include.map((f) => `INCLUDE ${f}\n`).join('')
        : policy.include.length === 0 ? ' Include:\t(none defined)\n' : policy.include.map((f, i) => `${i === 0 ? ' Include:  ' : ' '.repeat(11)}${f}\n`).join('');
      return { status: 0, stdout: out, json: { include: policy.include } };
    }
    if (paths.length === 0) throw new OpenbpError('INVALID_PARAMETER', `-${action} needs at least one path`);
    paths.forEach(checkSelection);
    const policy = await loadPolicy(ctx.home, name);
    let include: string[];
    if (action === 'add') {
      include = [...policy.include];
      // NEW_STREAM may appear many times (each starts a stream); a path once.
      for (const p of paths) if (p === NEW_STREAM || !include.includes(p)) include.push(p);
    } else {
      const missing = paths.find((p) => !policy.include.includes(p));
      if (missing !== undefined) throw new OpenbpError('INVALID_PARAMETER', `${missing} is not in the selections of policy ${policy.name}`);
      include = policy.include.filter((f) => !paths.includes(f));
    }
    await savePolicy(ctx.home, { ...policy, include });
    return { status: 0, json: { include } };
  },
});
