// Every command, given ids, names, dates and values that do not exist or do not parse, answers with one
// line naming its NetBackup status and exits with it (252 and "EXIT status = N" above 255); never a stack
// trace, and nothing that was stored before changes.

import fs from 'node:fs';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { statusEntry, statusMessage } from '../../src/protocol/status.js';

/** [binary, args, the status NetBackup gives]. */
const CASES: ReadonlyArray<readonly [string, readonly string[], number]> = [
  ['bpexpdate', ['-backupid', 'nosuch_1700000000', '-d', '0', '-force'], 227],
  ['bpexpdate', ['-backupid', 'x', '-d', '13/45/2020', '-force'], 20],
  ['bpimagelist', ['-backupid', 'nosuch_1700000000'], 227],
  ['bpimagelist', ['-d', '99/99/9999'], 20],
  ['bplist', ['-C', 'nosuchclient', '-R', '/'], 227],
  ['bplist', ['-s', 'yesterday', '/'], 20],
  ['bpdbjobs', ['-jobid', 'abc'], 20],
  ['bpverify', ['-backupid', 'nosuch_1700000000'], 227],
  ['bprestore', ['-s', '02/30/2026', '/etc/hostname'], 20],
  ['bpbackup', ['-p', 'nosuchpolicy', '/etc/hostname'], 230],
  ['bpbackup', ['-i', '-p', 'nosuchpolicy'], 230],
  ['bppllist', ['nosuchpolicy'], 230],
  ['bpplinfo', ['nosuchpolicy', '-L'], 230],
  ['bpplsched', ['nosuchpolicy', '-L'], 230],
  ['bpplsched', ['openbp-default', '-delete', 'nosuchsched'], 197],
  ['bpplclients', ['openbp-default', '-delete', 'nosuchclient'], 239],
  ['bppldelete', ['nosuchpolicy'], 230],
  ['bpplinfo', ['openbp-default', '-modify', '-priority', 'high'], 20],
  ['bpstulist', ['-label', 'nosuchunit'], 227],
  ['bpstuadd', ['-label', 'openbp-default-disk', '-path', '/tmp'], 20],
  ['bpretlevel', ['-l', '99'], 20],
  ['vmquery', ['-m', 'NOSUCH'], 95],
  ['bpmedialist', ['-m', 'NOSUCH'], 95],
  ['vmchange', ['-m', 'NOSUCH', '-p', '1'], 95],
  ['bplabel', ['-m', 'NOSUCH', '-d', 'hcart3'], 95],
  ['bpimport', ['-backupid', 'nosuch_1700000000'], 190],
  ['nbpemreq', ['-predict', '-date', '31/31/2031'], 20],
  ['bpkeyutil', ['-delete', '-keytag', '0123456789abcdef'], 227],
  ['bpkeyutil', ['-delete', '-keytag', 'nosuchkey'], 20],
];

describe('bad input gets one line and its status', () => {
  let home: OpenbpHome;

  beforeAll(async () => {
    home = OpenbpHome.create('obp-bad');
    await home.ok('bp.start_all');
  });

  afterAll(async () => {
    await home.run('bp.kill_all');
    home.destroy();
  });

  it.each(CASES)('%s %j', async (name, args, _expected) => {
    const policiesBefore = snapshot(home.path('db', 'class'));
    const r = await home.run(name, args);
    const lines = r.stderr.trimEnd().split('\n').filter((l) => !/^EXIT status = \d+$/.test(l));
    const status = statusOf(r);
    // One line, no trace; the exit code is the status (252 above 255) and the status is a NetBackup one.
    expect({ stack: /\n\s+at |TypeError|ReferenceError|SyntaxError/.test(r.stderr), lines: lines.length, known: statusEntry(status) !== undefined }).toEqual({
      stack: false,
      lines: 1,
      known: true,
    });
    expect(r.code).toBe(status > 255 ? 252 : status);
    expect(r.code).not.toBe(0);
    expect(snapshot(home.path('db', 'class'))).toEqual(policiesBefore);
  });

  it('names the status NetBackup gives', async () => {
    const wrong: string[] = [];
    for (const [name, args, expected] of CASES) {
      const r = await home.run(name, args);
      const got = statusOf(r);
      if (got !== expected) wrong.push(`${name} ${args.join(' ')}: status ${got}, expected ${expected}: ${r.stderr.trim()}`);
    }
    expect(wrong).toEqual([]);
  });
});

/**
 * The status a failed command reports: named in its line ("(status N)", or bplist's "EXIT STATUS N: ..."), or,
 * for commands that print only NetBackup's message ("no entity was found"), the exit code whose message it is.
 */
function statusOf(r: { code: number; stderr: string }): number {
  const named = /\(status (\d+)\)|EXIT STATUS (\d+)/.exec(r.stderr);
  if (named) return Number(named[1] ?? named[2]);
  return r.stderr.trim() === statusMessage(r.code) ? r.code : -1;
}

/** Every file under dir with its bytes, so a refused command can be shown to have written nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = `${e.parentPath}/${e.name}`;
    out[p] = fs.readFileSync(p).toString('base64');
  }
  return out;
}
