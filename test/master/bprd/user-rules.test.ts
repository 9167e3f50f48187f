// bprd's user-directed rules: who counts as an administrator, which clients a user may name, what they may see.

import { checkJobOwner, checkUserBackup, checkUserRestore, isAdministrator, ownedBy, requesterOf } from '../../../src/master/bprd/user-rules.js';
import type { FileRecord, JobRecord } from '../../../src/protocol/records.js';

const al = { uid: 4242, gid: 4242, user: 'al', host: 'h' };

function file(path: string, uid: number): { file: FileRecord } {
  return { file: { path, type: 'f', mode: 0o100644, uid, gid: uid, user: '', group: '', size: 1, mtimeNs: '0', ctime: 0, atime: 0, ino: 1, dev: 1, offset: 0, link: '' } as FileRecord };
}

describe('bprd user rules', () => {
  it('root and the daemon\'s own user are administrators; anyone else is not', () => {
    expect(isAdministrator({ ...al, uid: 0 })).toBe(true);
    expect(isAdministrator({ ...al, uid: process.getuid!() })).toBe(true);
    expect(isAdministrator(al)).toBe(process.getuid!() === al.uid);
  });

  it('a user names only this client, and never a destination elsewhere (135)', () => {
    expect(() => checkUserBackup({}, al, 'here')).not.toThrow();
    expect(() => checkUserBackup({ client: 'here' }, al, 'here')).not.toThrow();
    expect(() => checkUserBackup({ client: 'there' }, al, 'here')).toThrow(expect.objectContaining({ status: 135 }));
    expect(() => checkUserRestore({ client: 'here', destClient: 'here' }, al, 'here')).not.toThrow();
    expect(() => checkUserRestore({ client: 'there' }, al, 'here')).toThrow(expect.objectContaining({ status: 135, message: expect.stringContaining('-C') }));
    expect(() => checkUserRestore({ destClient: 'there' }, al, 'here')).toThrow(expect.objectContaining({ status: 135, message: expect.stringContaining('-D') }));
  });

  it('a user sees only entries recorded with their uid', () => {
    const entries = [file('/h/al/a', 4242), file('/h/root', 0), file('/h/al/b', 4242), file('/h/bo', 4343)];
    expect(ownedBy(entries, al).map((e) => e.file.path)).toEqual(['/h/al/a', '/h/al/b']);
  });

  it('a user waits only for their own jobs', () => {
    const job = { jobid: 7, owner: 'al' } as JobRecord;
    expect(checkJobOwner(job, al)).toBe(job);
    expect(() => checkJobOwner({ ...job, owner: 'root' }, al)).toThrow(expect.objectContaining({ status: 135 }));
  });

  it('names a connected peer from the user database, or by number when it has no name', () => {
    expect(requesterOf({ pid: 1, uid: 0, gid: 0 })).toMatchObject({ uid: 0, gid: 0, user: 'root' });
    expect(requesterOf({ pid: 1, uid: 987654, gid: 987654 })).toMatchObject({ uid: 987654, user: '987654' });
  });
});
