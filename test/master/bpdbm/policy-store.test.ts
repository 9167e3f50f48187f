import fs from 'node:fs';
import path from 'node:path';
import { statusOf, tempHome } from './fixtures.js';
import type { Home } from '../../../src/config/home.js';
import { ensureDefaultPolicy, getPolicy, listPolicies, putPolicy } from '../../../src/master/bpdbm/policy-store.js';

let home: Home;
beforeEach(() => {
  home = tempHome('openbp-pol');
});
afterEach(() => fs.rmSync(home.root, { recursive: true, force: true }));


describe('policies', () => {
  it('creates the default user-backup policy once, then adds clients', () => {
    const p = ensureDefaultPolicy(home, 'host1', 'openbp-default-disk');
    expect(p).toMatchObject({
      name: 'openbp-default',
      policyType: 0,
      active: true,
      residence: 'openbp-default-disk',
      clients: [['host1', ['Linux', 'Debian']]],
      schedules: [{ name: 'default-user', type: 'UBAK', retentionLevel: 1, frequencySeconds: 0 }],
    });
    expect(getPolicy(home, 'openbp-default')).toEqual(p);
    expect(ensureDefaultPolicy(home, 'host1', 'other')).toEqual(p);
    expect(ensureDefaultPolicy(home, 'host2', 'x').clients.map(([c]) => c)).toEqual(['host1', 'host2']);
    const onDisk = JSON.parse(fs.readFileSync(path.join(home.classes, 'openbp-default', 'policy'), 'utf8'));
    expect(onDisk.version).toBe(1);
  });

  it('puts, gets and lists policies with NetBackup statuses', () => {
    const base = ensureDefaultPolicy(home, 'h', 'stu');
    expect(statusOf(() => getPolicy(home, 'nope'))).toBe(230);
    expect(statusOf(() => getPolicy(home, '../etc'))).toBe(230);
    expect(statusOf(() => putPolicy(home, { ...base, name: 'weekly' }, false))).toBe(230);
    putPolicy(home, { ...base, name: 'weekly' }, true);
    expect(statusOf(() => putPolicy(home, { ...base, name: 'weekly' }, true))).toBe(133);
    putPolicy(home, { ...base, name: 'weekly', active: false }, false);
    expect(getPolicy(home, 'weekly').active).toBe(false);
    expect(statusOf(() => putPolicy(home, { ...base, name: 'bad/name' }, true))).toBe(20);
    expect(listPolicies(home).map((p) => p.name)).toEqual(['openbp-default', 'weekly']);
  });
});
