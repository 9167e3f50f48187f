// Shared steps of the policy admin commands: read a policy from bpdbm, validate edits, write it back whole.

import type { Home } from '../config/home.js';
import { bpdbm } from '../protocol/bpdbm.js';
import { OpenbpError } from '../protocol/errors.js';
import { policyRecord, type PolicyRecord } from '../protocol/records.js';
import { callDaemon } from './daemon-call.js';

/** NetBackup policy, schedule and client names: letters, digits, '-', '_', '+', '.', not starting with '-' or '.'. */
const NAME = /^[A-Za-z0-9_+][A-Za-z0-9_+.-]{0,127}$/;

/** NetBackup policy types by name (bpplinfo -pt) and number. */
export const POLICY_TYPES: ReadonlyArray<readonly [number, string]> = [
  [0, 'Standard'], [4, 'Oracle'], [6, 'Informix-On-BAR'], [7, 'Sybase'], [8, 'MS-SharePoint'],
  [11, 'DataTools-SQL-BackTrack'], [13, 'MS-Windows'], [15, 'MS-SQL-Server'], [16, 'MS-Exchange-Server'],
  [17, 'SAP'], [18, 'DB2'], [19, 'NDMP'], [20, 'FlashBackup'], [21, 'Split-Mirror'], [25, 'Lotus-Notes'],
  [29, 'FlashBackup-Windows'], [35, 'NBU-Catalog'], [39, 'Enterprise-Vault'], [40, 'VMware'], [41, 'Hyper-V'],
];

export function policyTypeName(code: number): string {
  return POLICY_TYPES.find(([c]) => c === code)?.[1] ?? `Unknown (${code})`;
}

/** A policy type by name (any case) or number; 20 when unknown. */
export function parsePolicyType(text: string): number {
  const t = text.trim();
  const hit = POLICY_TYPES.find(([c, n]) => n.toLowerCase() === t.toLowerCase() || String(c) === t);
  if (!hit) throw new OpenbpError('INVALID_PARAMETER', `-pt: unknown policy type '${text}' (${POLICY_TYPES.map(([, n]) => n).join(', ')})`);
  return hit[0];
}

export function checkName(name: string | undefined, what: string): string {
  if (name === undefined || !NAME.test(name)) {
    throw new OpenbpError('INVALID_PARAMETER', `${what}: '${name ?? ''}' is not a valid name (letters, digits, - _ + ., not starting with - or .)`);
  }
  return name;
}

/** A fresh policy as bppolicynew makes it: Standard, active, any storage unit, pool NetBackup. */
export function newPolicy(name: string, now = Math.floor(Date.now() / 1000)): PolicyRecord {
  return {
    name, policyType: 0, active: true, residence: '', pool: 'NetBackup', priority: 0, maxJobs: 0, keyword: '',
    clients: [], include: [], schedules: [], created: now,
  };
}

export async function loadPolicy(home: Home, name: string): Promise<PolicyRecord> {
  return callDaemon(home, bpdbm.getPolicy, { name: checkName(name, 'policy') });
}

/** Validates the whole record before anything is sent, then writes it in one atomic put. */
export async function savePolicy(home: Home, policy: PolicyRecord, create = false): Promise<void> {
  const valid = policyRecord.parse(policy, 'policy');
  await callDaemon(home, bpdbm.putPolicy, { policy: valid, create });
}

/** A 0|1 option value. */
export function flag01(v: unknown, what: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 0 || v === '0') return false;
  if (v === 1 || v === '1') return true;
  throw new OpenbpError('INVALID_PARAMETER', `${what} must be 0 or 1`);
}

export function intIn(v: unknown, min: number, max: number, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new OpenbpError('INVALID_PARAMETER', `${what} must be an integer from ${min} to ${max}`);
  return n;
}

/** At most one of the given actions is set: keys are option keys, values the flags for the message; returns the key, or undefined. */
export function pickAction<K extends string>(opts: Record<string, unknown>, actions: Record<K, string>): K | undefined {
  const keys = Object.keys(actions) as K[];
  const set = keys.filter((k) => opts[k] !== undefined && opts[k] !== false);
  if (set.length > 1) throw new OpenbpError('INVALID_PARAMETER', `give only one of ${keys.map((k) => actions[k]).join(', ')}`);
  return set[0];
}
