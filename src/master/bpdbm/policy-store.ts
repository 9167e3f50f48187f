// Policies under db/class/<policy>/policy: one versioned JSON file per policy, written atomically.

import fs from 'node:fs';
import path from 'node:path';
import type { Home } from '../../config/home.js';
import { writeFileAtomic } from '../../config/atomic-file.js';
import { OpenbpError } from '../../protocol/errors.js';
import { policyRecord, type PolicyRecord } from '../../protocol/records.js';

export const POLICY_FILE_VERSION = 1;
export const DEFAULT_POLICY_NAME = 'openbp-default';
export const DEFAULT_USER_SCHEDULE = 'default-user';
const FILE = 'policy';

/** NetBackup policy names: letters, digits, '-', '_', '+', '.', not starting with '-' or '.'. */
export function isValidPolicyName(name: string): boolean {
  return /^[A-Za-z0-9_+][A-Za-z0-9_+.-]{0,127}$/.test(name);
}

function policyFile(home: Home, name: string): string {
  return path.join(home.classes, name, FILE);
}

function serialize(policy: PolicyRecord): string {
  return JSON.stringify({ version: POLICY_FILE_VERSION, policy }, null, 2) + '\n';
}

function parse(text: string, file: string): PolicyRecord {
  let doc: { version?: unknown; policy?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (e) {
    throw new OpenbpError('DATABASE_ERROR', `${file}: not a policy file: ${(e as Error).message}`);
  }
  if (typeof doc.version !== 'number' || doc.version > POLICY_FILE_VERSION) {
    throw new OpenbpError('DATABASE_ERROR', `${file}: policy file version ${String(doc.version)} is not supported`);
  }
  return policyRecord.parse(doc.policy, 'policy');
}

function readPolicy(home: Home, name: string): PolicyRecord | undefined {
  if (!isValidPolicyName(name)) return undefined;
  const file = policyFile(home, name);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parse(text, file);
}

export function getPolicy(home: Home, name: string): PolicyRecord {
  const p = readPolicy(home, name);
  if (!p) throw new OpenbpError('NO_SUCH_POLICY', `policy ${name} does not exist`);
  return p;
}

export function listPolicies(home: Home, log: (line: string) => void = () => {}): PolicyRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(home.classes);
  } catch {
    return [];
  }
  const out: PolicyRecord[] = [];
  for (const n of names.sort()) {
    try {
      const p = readPolicy(home, n);
      if (p) out.push(p);
    } catch (e) {
      log(`skipping policy ${n}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Writes a policy: `create` refuses an existing name, otherwise the policy must exist (230). */
export function putPolicy(home: Home, policy: PolicyRecord, create: boolean): void {
  if (!isValidPolicyName(policy.name)) {
    throw new OpenbpError('INVALID_PARAMETER', `'${policy.name}' is not a valid policy name (letters, digits, - _ + .)`);
  }
  const exists = readPolicy(home, policy.name) !== undefined;
  if (create && exists) throw new OpenbpError('INVALID_REQUEST', `policy ${policy.name} already exists`);
  if (!create && !exists) throw new OpenbpError('NO_SUCH_POLICY', `policy ${policy.name} does not exist`);
  const valid = policyRecord.parse(policy, 'policy');
  fs.mkdirSync(path.join(home.classes, policy.name), { recursive: true, mode: 0o700 });
  writeFileAtomic(policyFile(home, policy.name), serialize(valid));
}

/** Removes a policy: its folder is renamed out of sight (a name listPolicies skips), then deleted. */
export function deletePolicy(home: Home, name: string): void {
  if (readPolicy(home, name) === undefined) throw new OpenbpError('NO_SUCH_POLICY', `policy ${name} does not exist`);
  const gone = path.join(home.classes, `.deleted-${name}-${process.pid}-${Date.now()}`);
  fs.renameSync(path.join(home.classes, name), gone);
  fs.rmSync(gone, { recursive: true, force: true });
}

/** The policy user backups use when none is named: Standard, one UBAK schedule, the default storage unit. */
export function defaultPolicy(client: string, stuLabel: string, now = Math.floor(Date.now() / 1000)): PolicyRecord {
  return {
    name: DEFAULT_POLICY_NAME,
    policyType: 0,
    active: true,
    residence: stuLabel,
    pool: 'NetBackup',
    priority: 0,
    maxJobs: 0,
    keyword: '',
    clients: [[client, ['Linux', 'Debian']]],
    include: [],
    schedules: [{ name: DEFAULT_USER_SCHEDULE, type: 'UBAK', retentionLevel: 1, frequencySeconds: 0 }],
    created: now,
  };
}

/**
 * Creates the default user-backup policy on first use; when it exists, adds `client` to it if missing.
 * Idempotent, atomic writes; returns the policy as stored.
 */
export function ensureDefaultPolicy(home: Home, client: string, stuLabel: string): PolicyRecord {
  const existing = readPolicy(home, DEFAULT_POLICY_NAME);
  if (!existing) {
    const p = defaultPolicy(client, stuLabel);
    fs.mkdirSync(path.join(home.classes, p.name), { recursive: true, mode: 0o700 });
    writeFileAtomic(policyFile(home, p.name), serialize(p));
    return p;
  }
  if (existing.clients.some(([c]) => c === client)) return existing;
  const p: PolicyRecord = { ...existing, clients: [...existing.clients, [client, ['Linux', 'Debian']]] };
  writeFileAtomic(policyFile(home, p.name), serialize(p));
  return p;
}
