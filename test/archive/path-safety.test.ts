import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PathGuard, PathGuardError, resolveStreamPath } from '../../src/archive/path-safety.js';

describe('resolveStreamPath', () => {
  it('makes stream paths absolute and normalised', () => {
    expect(resolveStreamPath('a/b/c')).toEqual({ ok: true, abs: '/a/b/c', strippedAbsolute: false });
    expect(resolveStreamPath('./a//b/./c/')).toMatchObject({ ok: true, abs: '/a/b/c' });
    expect(resolveStreamPath('/etc/passwd')).toEqual({ ok: true, abs: '/etc/passwd', strippedAbsolute: true });
    expect(resolveStreamPath('.')).toMatchObject({ ok: true, abs: '/' });
    expect(resolveStreamPath('a/\xff\xfe')).toMatchObject({ ok: true, abs: '/a/\xff\xfe' });
  });

  it("refuses '..' components and NUL bytes", () => {
    for (const p of ['../x', 'a/../../x', 'a/..', '/..', '..']) expect(resolveStreamPath(p).ok).toBe(false);
    expect(resolveStreamPath('a\0b').ok).toBe(false);
    expect(resolveStreamPath('a..b/..c').ok).toBe(true);
  });

  it('gives what splitting into components gives, for every mix of odd components (the plain-path shortcut included)', () => {
    const reference = (p: string) => {
      if (p.includes('\0')) return { ok: false };
      const parts = p.split('/').filter((c) => c !== '' && c !== '.');
      if (parts.includes('..')) return { ok: false };
      return { ok: true, abs: `/${parts.join('/')}`, strippedAbsolute: p.startsWith('/') };
    };
    const pieces = ['a', '.', '..', '', '...', '.a', 'a.', '..b', 'a\0'];
    let tried = 0;
    for (const x of pieces) for (const y of pieces) for (const z of pieces) for (const lead of ['', '/']) {
      for (const p of [`${lead}${x}`, `${lead}${x}/${y}`, `${lead}${x}/${y}/${z}`]) {
        expect([p, resolveStreamPath(p)]).toEqual([p, expect.objectContaining(reference(p))]);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(1000);
  });
});

describe('PathGuard', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-guard-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates missing parents below the target', () => {
    const g = new PathGuard();
    g.prepareParents(`${dir}/t/a/b/file`, `${dir}/t`);
    expect(fs.statSync(`${dir}/t/a/b`).isDirectory()).toBe(true);
  });

  it('refuses a symlink among the parents, and paths outside the target', () => {
    fs.mkdirSync(`${dir}/t`);
    fs.mkdirSync(`${dir}/elsewhere`);
    fs.symlinkSync(`${dir}/elsewhere`, `${dir}/t/link`);
    const g = new PathGuard();
    expect(() => g.prepareParents(`${dir}/t/link/file`, `${dir}/t`)).toThrow(PathGuardError);
    expect(() => g.prepareParents(`${dir}/other/file`, `${dir}/t`)).toThrow(PathGuardError);
    expect(fs.readdirSync(`${dir}/elsewhere`)).toEqual([]);
  });

  it('refuses a symlinked parent of the target itself', () => {
    fs.mkdirSync(`${dir}/real`);
    fs.symlinkSync(`${dir}/real`, `${dir}/alias`);
    expect(() => new PathGuard().prepareParents(`${dir}/alias/t/file`, `${dir}/alias/t`)).toThrow(PathGuardError);
  });

  it('re-checks a directory it forgot after a replacement', () => {
    const g = new PathGuard();
    g.prepareParents(`${dir}/t/a/file`, `${dir}/t`);
    fs.rmdirSync(`${dir}/t/a`);
    fs.symlinkSync('/', `${dir}/t/a`);
    g.forget(`${dir}/t/a`);
    expect(() => g.prepareParents(`${dir}/t/a/file`, `${dir}/t`)).toThrow(PathGuardError);
  });
});
