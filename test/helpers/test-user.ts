// A throw-away local user for access tests (useradd / userdel), or the reason there cannot be one.

import crypto from 'node:crypto';
import fs from 'node:fs';
import { execa } from 'execa';

export interface TestUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** useradd and userdel are refused while another one holds /etc/passwd's lock: try again a few times. */
async function retried(cmd: string, args: string[]): Promise<{ exitCode?: number; stderr: string }> {
  let last = { exitCode: -1 as number | undefined, stderr: '' };
  for (let i = 0; i < 10; i++) {
    const r = await execa(cmd, args, { reject: false });
    last = { exitCode: r.exitCode, stderr: String(r.stderr) };
    if (r.exitCode === 0 || !/lock/i.test(last.stderr)) return last;
    await new Promise((res) => setTimeout(res, 200 + 100 * i));
  }
  return last;
}

/** A new user without a home directory or login shell; a string says why there is none. */
export async function createTestUser(prefix = 'obpu'): Promise<TestUser | string> {
  if (process.getuid?.() !== 0) return 'needs root to create a test user';
  if (!['/usr/sbin/useradd', '/sbin/useradd', '/usr/bin/useradd'].some((p) => fs.existsSync(p))) return 'useradd is not installed';
  const name = `${prefix}${crypto.randomBytes(3).toString('hex')}`;
  const r = await retried('useradd', ['-M', '-s', '/usr/sbin/nologin', name]);
  if (r.exitCode !== 0) return `useradd failed: ${r.stderr.trim()}`;
  const id = await execa('id', ['-u', name]);
  const gid = await execa('id', ['-g', name]);
  return { name, uid: Number(id.stdout), gid: Number(gid.stdout) };
}

export async function removeTestUser(user: TestUser): Promise<void> {
  await retried('userdel', [user.name]);
}
