// Security regressions: each builds a hostile archive in memory and proves nothing was written outside the target.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { runRestore, type RestoreResult } from '../../src/client/nbtar/restore.js';
import { TarBuilder } from '../../src/archive/tar-writer.js';
import { makeEntry } from '../../src/archive/tar-entry.js';
import type { NbtarEvent } from '../../src/protocol/job-events.js';
import { runNbtar } from './run-client.js';

let dir: string;
let target: string;
let outside: string;

/** Everything under dir except the target, with sizes and contents: must not change. */
function snapshotOutside(): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    for (const name of fs.readdirSync(p).sort()) {
      const abs = path.join(p, name);
      if (abs === target || abs.startsWith(`${target}/`)) continue;
      const st = fs.lstatSync(abs);
      out.push(`${abs} ${st.mode.toString(8)} ${st.isFile() ? fs.readFileSync(abs, 'latin1') : st.isSymbolicLink() ? fs.readlinkSync(abs) : ''}`);
      if (st.isDirectory()) walk(abs);
    }
  };
  walk(dir);
  return out;
}

async function restore(archive: Buffer, selections = ['/r'], renames: Array<[string, string]> = [['/r', target]]): Promise<RestoreResult & { events: NbtarEvent[] }> {
  const events: NbtarEvent[] = [];
  const r = await runRestore({ jobid: 1, selections, renames, keepExisting: false, restoreOwnership: false }, { input: Readable.from([archive]), onEvent: (e) => events.push(e) });
  return { ...r, events };
}

async function packed(entries: Array<[Parameters<ReturnType<typeof tarStream.pack>['entry']>[0], string?]>): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const [h, body] of entries) pack.entry(h, body ?? '');
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const c of pack) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

const file = (p: string, body = 'pwned') => [makeEntry({ path: p, type: 'file' }), Buffer.from(body)] as const;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-hostile-'));
  target = path.join(dir, 'target');
  outside = path.join(dir, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'victim'), 'original');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('nbtar against hostile streams', () => {
  it('dot-dot-escape: refuses ../ components anywhere in a path', async () => {
    const before = snapshotOutside();
    const archive = await packed([
      [{ name: 'r/ok' }, 'fine'],
      [{ name: 'r/../../outside/victim' }, 'pwned'],
      [{ name: '../outside/new' }, 'pwned'],
      [{ name: 'r/sub/../../../../escape' }, 'pwned'],
    ]);
    const r = await restore(archive);
    expect(snapshotOutside()).toEqual(before);
    expect(fs.readFileSync(path.join(target, 'ok'), 'utf8')).toBe('fine');
    expect(r.events.filter((e) => e.kind === 'warning').length).toBe(3);
    expect(r.status).toBe(1);
  });

  it('absolute-path: an absolute stream path is made relative and stays under the target', async () => {
    const before = snapshotOutside();
    const archive = await packed([
      [{ name: '/r/abs' }, 'made relative'],
      [{ name: `${outside}/victim` }, 'pwned'],
    ]);
    const r = await restore(archive);
    expect(snapshotOutside()).toEqual(before);
    expect(fs.readFileSync(path.join(target, 'abs'), 'utf8')).toBe('made relative');
    expect(r.status).toBe(0);
  });

  it('symlink-then-file-through-it: a symlink entry never becomes a parent', async () => {
    const before = snapshotOutside();
    const archive = await packed([
      [{ name: 'r', type: 'directory' }],
      [{ name: 'r/link', type: 'symlink', linkname: outside }],
      [{ name: 'r/link/pwned' }, 'pwned'],
      [{ name: 'r/link/victim' }, 'pwned'],
    ]);
    const r = await restore(archive);
    expect(snapshotOutside()).toEqual(before);
    expect(fs.readlinkSync(path.join(target, 'link'))).toBe(outside);
    expect(r.events.filter((e) => e.kind === 'warning').map((e) => (e as { code?: string }).code)).toEqual(['SYMLINK_IN_PATH', 'SYMLINK_IN_PATH']);
    expect(r.status).toBe(1);
  });

  it('hardlink-to-outside: hard links may only point inside the restore target', async () => {
    const before = snapshotOutside();
    const archive = new TarBuilder()
      .add(makeEntry({ path: 'r/h1', type: 'hardlink', linkpath: `${outside.slice(1)}/victim` }))
      .add(makeEntry({ path: 'r/h2', type: 'hardlink', linkpath: '../outside/victim' }))
      .add(makeEntry({ path: 'r/h3', type: 'hardlink', linkpath: `/${outside.slice(1)}/victim` }))
      .add(...file('r/h1', 'pwned through the link'))
      .finish();
    const r = await restore(archive);
    expect(snapshotOutside()).toEqual(before);
    expect(fs.readFileSync(path.join(target, 'h1'), 'utf8')).toBe('pwned through the link');
    expect(fs.statSync(path.join(target, 'h1')).nlink).toBe(1);
    expect(r.events.filter((e) => e.kind === 'warning').length).toBe(3);
  });

  it('directory-replaced-by-symlink: a later file under a directory turned symlink is refused', async () => {
    const before = snapshotOutside();
    const archive = new TarBuilder()
      .add(makeEntry({ path: 'r', type: 'directory' }))
      .add(makeEntry({ path: 'r/d', type: 'directory' }))
      .add(...file('r/d/inside', 'ok'))
      .add(makeEntry({ path: 'r/e', type: 'directory' }))
      .add(makeEntry({ path: 'r/e', type: 'symlink', linkpath: outside }))
      .add(...file('r/e/victim'))
      .add(...file('r/e/new'))
      .finish();
    const r = await restore(archive);
    expect(snapshotOutside()).toEqual(before);
    expect(fs.readFileSync(path.join(target, 'd', 'inside'), 'utf8')).toBe('ok');
    expect(fs.lstatSync(path.join(target, 'e')).isSymbolicLink()).toBe(true);
    expect(r.status).toBe(1);
  });

  it('pre-existing-symlink-at-target: never followed, replaced by a directory when one is restored there', async () => {
    fs.mkdirSync(target);
    fs.symlinkSync(outside, path.join(target, 'planted'));
    fs.symlinkSync(outside, path.join(target, 'planted2'));
    const before = snapshotOutside();
    const archive = new TarBuilder()
      .add(...file('r/planted/victim'))
      .add(makeEntry({ path: 'r/planted2', type: 'directory' }))
      .add(...file('r/planted2/victim', 'inside a real directory'))
      .finish();
    const r = await restore(archive);
    expect(snapshotOutside()).toEqual(before);
    expect(fs.lstatSync(path.join(target, 'planted')).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(path.join(target, 'planted2')).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(target, 'planted2', 'victim'), 'utf8')).toBe('inside a real directory');
    expect(r.status).toBe(1);
  });

  it('symlink-as-target: a restore target that is a planted symlink is replaced, not followed', async () => {
    fs.symlinkSync(outside, target);
    const before = snapshotOutside();
    const archive = new TarBuilder()
      .add(makeEntry({ path: 'r', type: 'directory' }))
      .add(...file('r/victim', 'new'))
      .finish();
    const r = await restore(archive);
    expect(snapshotOutside()).toEqual(before);
    expect(fs.lstatSync(target).isDirectory()).toBe(true);
    expect(r.status).toBe(0);
  });

  it('symlinked-target-parent: refuses to write when the parent of the target is a symlink', async () => {
    fs.symlinkSync(outside, path.join(dir, 'alias'));
    const before = snapshotOutside();
    const archive = new TarBuilder().add(...file('r/x')).finish();
    const r = await restore(archive, ['/r'], [['/r', path.join(dir, 'alias', 'sub')]]);
    expect(snapshotOutside()).toEqual(before);
    expect(r.status).toBe(175);
  });

  it('dot-dot-escape through the real binary: exit status and no file outside', async () => {
    const before = snapshotOutside();
    const archive = await packed([[{ name: '../../outside/victim' }, 'pwned']]);
    const specDir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-spec-'));
    const run = await runNbtar(specDir, { jobid: 1, selections: ['/'], renames: [['/', target]], keepExisting: false, restoreOwnership: false }, archive);
    expect(snapshotOutside()).toEqual(before);
    expect(run.status).toBe(175);
    expect(run.events.find((e) => e.kind === 'warning')).toMatchObject({ code: 'EUNSAFE' });
    fs.rmSync(specDir, { recursive: true, force: true });
  });
});
