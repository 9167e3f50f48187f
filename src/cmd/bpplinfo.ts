// bpplinfo: show (-L, -l, -U) or change (-set, -modify) a policy's attributes.

import { defineCommand, type ParsedOptions } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { flag01, intIn, loadPolicy, newPolicy, pickAction, parsePolicyType, savePolicy } from '../cli/policy-edit.js';
import { policyInfoLines, policyInfoLongLines, policyInfoRaw } from '../cli/reports/policies.js';
import type { Home } from '../config/home.js';
import { OpenbpError } from '../protocol/errors.js';
import { nbemm } from '../protocol/nbemm.js';
import type { PolicyRecord } from '../protocol/records.js';

/** Residence values that mean "any storage unit". */
const ANY_STU = new Set(['', '*ANY*', '*NULL*', '__ANY__']);

/** The storage unit must exist in nbemm: 219 otherwise. */
export async function checkResidence(home: Home, label: string): Promise<string> {
  if (ANY_STU.has(label)) return '';
  let found = false;
  try {
    found = (await callDaemon(home, nbemm.listStorageUnits, { label })).units.some((u) => u.label === label);
  } catch (e) {
    if (!(e instanceof OpenbpError) || e.status !== 227) throw e;
  }
  if (!found) throw new OpenbpError('STU_UNAVAILABLE', `storage unit ${label} does not exist`, { hint: 'list the storage units with bpstulist' });
  return label;
}

/** Applies the attribute options to a base record (the stored policy for -modify, defaults for -set). */
async function applyAttributes(home: Home, base: PolicyRecord, opts: ParsedOptions): Promise<PolicyRecord> {
  if (opts.active && opts.inactive) throw new OpenbpError('INVALID_PARAMETER', 'give -active or -inactive, not both');
  const p: PolicyRecord = { ...base };
  if (opts.pt !== undefined) p.policyType = parsePolicyType(String(opts.pt));
  if (opts.active) p.active = true;
  if (opts.inactive) p.active = false;
  if (opts.pool !== undefined) {
    const pool = String(opts.pool);
    if (!/^[A-Za-z0-9_+.-]{1,128}$/.test(pool)) throw new OpenbpError('INVALID_PARAMETER', `-pool: '${pool}' is not a volume pool name`);
    p.pool = pool;
  }
  p.maxJobs = intIn(opts.policyjobs, 0, 999999, '-policyjobs') ?? p.maxJobs;
  p.priority = intIn(opts.priority, 0, 99999, '-priority') ?? p.priority;
  const compress = flag01(opts.compress, '-compress');
  const chkpt = flag01(opts.chkpt, '-chkpt');
  const streams = flag01(opts.multiple_streams, '-multiple_streams');
  const encrypt = flag01(opts.encrypt, '-encrypt');
  if (encrypt !== undefined) p.encrypt = encrypt;
  if (compress !== undefined) p.compress = compress;
  if (chkpt !== undefined) p.checkpoint = chkpt;
  if (streams !== undefined) p.multipleStreams = streams;
  if (opts.keyword !== undefined) {
    const k = String(opts.keyword);
    if (k.length > 128 || /[\n\r]/.test(k)) throw new OpenbpError('INVALID_PARAMETER', '-keyword: at most 128 characters on one line');
    p.keyword = k;
  }
  if (opts.residence !== undefined) p.residence = await checkResidence(home, String(opts.residence));
  return p;
}

export const command = defineCommand({
  name: 'bpplinfo',
  summary: 'show or change the attributes of a policy',
  args: '<policy>',
  options: [
    { flag: '-L', key: 'listLong', kind: 'flag', help: 'list the attributes, long form (default)' },
    { flag: '-l', key: 'listRaw', kind: 'flag', help: 'list the attributes as raw records' },
    { flag: '-U', key: 'listHuman', kind: 'flag', help: 'list the attributes as bppllist -U does' },
    { flag: '-set', key: 'set', kind: 'flag', help: 'set the attributes: those not given return to their defaults' },
    { flag: '-modify', key: 'modify', kind: 'flag', help: 'change only the attributes given' },
    { flag: '-pt', key: 'pt', kind: 'string', arg: 'policy_type', help: 'policy type (Standard, MS-Windows, ...)' },
    { flag: '-residence', key: 'residence', kind: 'string', arg: 'label', help: 'storage unit for the policy (*ANY* = any)' },
    { flag: '-pool', key: 'pool', kind: 'string', arg: 'pool', help: 'volume pool (default NetBackup)' },
    { flag: '-policyjobs', key: 'policyjobs', kind: 'int', arg: 'max_jobs', help: 'maximum concurrent jobs of the policy (0 = unlimited)' },
    { flag: '-priority', key: 'priority', kind: 'int', arg: 'priority', help: 'job priority, 0-99999 (higher runs first)' },
    { flag: '-active', key: 'active', kind: 'flag', help: 'make the policy active' },
    { flag: '-inactive', key: 'inactive', kind: 'flag', help: 'make the policy inactive' },
    { flag: '-compress', key: 'compress', kind: 'string', arg: '0|1', help: 'compression: bptm stores each block compressed (brotli)' },
    { flag: '-encrypt', key: 'encrypt', kind: 'string', arg: '0|1', help: 'encryption at rest: AES-256-GCM per block with the active bpkeyutil key' },
    { flag: '-chkpt', key: 'chkpt', kind: 'string', arg: '0|1', help: 'checkpoint restart' },
    { flag: '-multiple_streams', key: 'multiple_streams', kind: 'string', arg: '0|1', help: 'allow multiple data streams' },
    { flag: '-keyword', key: 'keyword', kind: 'string', arg: '"keyword phrase"', help: 'keyword phrase recorded with every image' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'Exit status: 0; 230 unknown policy; 219 unknown storage unit; 20 bad option value.',
  async run(ctx, opts, args) {
    if (args.length !== 1) throw new OpenbpError('INVALID_PARAMETER', 'give one policy name');
    const action = pickAction(opts, { listLong: '-L', listRaw: '-l', listHuman: '-U', set: '-set', modify: '-modify' }) ?? 'listLong';
    const stored = await loadPolicy(ctx.home, args[0]!);
    if (action === 'set' || action === 'modify') {
      const base = action === 'set' ? { ...newPolicy(stored.name, stored.created), clients: stored.clients, include: stored.include, schedules: stored.schedules } : stored;
      const policy = await applyAttributes(ctx.home, base, opts);
      await savePolicy(ctx.home, policy);
      return { status: 0, json: { policy } };
    }
    const attrs = ['pt', 'residence', 'pool', 'policyjobs', 'priority', 'active', 'inactive', 'compress', 'encrypt', 'chkpt', 'multiple_streams', 'keyword'];
    const stray = attrs.find((k) => opts[k] !== undefined);
    if (stray) throw new OpenbpError('INVALID_PARAMETER', `-${stray} needs -set or -modify`);
    const text = action === 'listRaw' ? policyInfoRaw(stored) : action === 'listHuman' ? [`Policy Name:       ${stored.name}`, '', ...policyInfoLines(stored)] : [`${'Policy Name:'.padEnd(19)}${stored.name}`, ...policyInfoLongLines(stored)];
    return { status: 0, stdout: text.join('\n') + '\n', json: { policy: stored } };
  },
});
