// bpplclients: list the clients of a policy (or of all, -allunique), add, modify or delete one.

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { loadPolicy, pickAction, savePolicy } from '../cli/policy-edit.js';
import { clientRecord, clientsTable } from '../cli/reports/policies.js';
import { bpdbm } from '../protocol/bpdbm.js';
import { OpenbpError } from '../protocol/errors.js';
import type { PolicyRecord } from '../protocol/records.js';

const HOST = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const WORD = /^[^\s]{1,64}$/;

function checkHost(name: string): string {
  if (!HOST.test(name)) throw new OpenbpError('INVALID_PARAMETER', `'${name}' is not a client host name`);
  return name;
}

function checkWord(v: string | undefined, what: string): string {
  if (v === undefined || !WORD.test(v)) throw new OpenbpError('INVALID_PARAMETER', `${what} is missing or not one word (bpplclients policy -add client hardware os)`);
  return v;
}

function listing(clients: PolicyRecord['clients'], raw: boolean): string {
  return raw ? clients.map((c) => `${clientRecord(c)}\n`).join('') : clientsTable(clients);
}

export const command = defineCommand({
  name: 'bpplclients',
  summary: 'list, add, modify or delete the clients of a policy',
  args: '[policy] [words...]',
  options: [
    { flag: '-add', key: 'add', kind: 'string', arg: 'client hardware os', help: 'add a client with its hardware and operating system' },
    { flag: '-delete', key: 'delete', kind: 'string', arg: 'client [client...]', help: 'delete clients from the policy' },
    { flag: '-modify', key: 'modify', kind: 'string', arg: 'client', help: 'change the -hardware / -os of a client' },
    { flag: '-hardware', key: 'hardware', kind: 'string', arg: 'hardware', help: 'with -modify: new hardware' },
    { flag: '-os', key: 'os', kind: 'string', arg: 'os', help: 'with -modify: new operating system' },
    { flag: '-allunique', key: 'allunique', kind: 'flag', help: 'list every client of every policy once' },
    { flag: '-U', key: 'listHuman', kind: 'flag', help: 'list as a table (default)' },
    { flag: '-L', key: 'listLong', kind: 'flag', help: 'list as a table' },
    { flag: '-l', key: 'listRaw', kind: 'flag', help: 'list as raw CLIENT records' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'Exit status: 0; 230 unknown policy; 239 client not in the policy (-delete, -modify); 133 client already in the policy (-add); 20 bad input.',
  async run(ctx, opts, args) {
    const raw = pickAction(opts, { listHuman: '-U', listLong: '-L', listRaw: '-l' }) === 'listRaw';
    if (opts.allunique) {
      if (args.length > 0 || opts.add !== undefined || opts.delete !== undefined || opts.modify !== undefined) {
        throw new OpenbpError('INVALID_PARAMETER', '-allunique takes no policy and no change');
      }
      const { policies } = await callDaemon(ctx.home, bpdbm.listPolicies, {});
      const seen = new Map<string, PolicyRecord['clients'][number]>();
      for (const p of policies) for (const c of p.clients) if (!seen.has(c[0])) seen.set(c[0], c);
      const clients = [...seen.values()].sort((a, b) => a[0].localeCompare(b[0]));
      return { status: 0, stdout: listing(clients, raw), json: { clients } };
    }
    const [name, ...words] = args;
    if (name === undefined) throw new OpenbpError('INVALID_PARAMETER', 'give a policy name (or -allunique)');
    const action = pickAction(opts, { add: '-add', delete: '-delete', modify: '-modify' });
    const policy = await loadPolicy(ctx.home, name);
    if (action === undefined) {
      if (words.length > 0) throw new OpenbpError('INVALID_PARAMETER', `unexpected argument '${words[0]}'`);
      return { status: 0, stdout: listing(policy.clients, raw), json: { clients: policy.clients } };
    }
    let clients = [...policy.clients];
    if (action === 'add') {
      const client = checkHost(String(opts.add));
      if (words.length !== 2) throw new OpenbpError('INVALID_PARAMETER', '-add needs: client hardware os');
      const hw = checkWord(words[0], 'hardware');
      const os = checkWord(words[1], 'os');
      if (clients.some(([c]) => c === client)) throw new OpenbpError('INVALID_REQUEST', `client ${client} is already in policy ${policy.name}`);
      clients.push([client, [hw, os]]);
    } else if (action === 'delete') {
      const names = [String(opts.delete), ...words];
      const missing = names.find((n) => !clients.some(([c]) => c === n));
      if (missing !== undefined) throw new OpenbpError('CLIENT_NOT_IN_POLICY', `client ${missing} is not in policy ${policy.name}`);
      clients = clients.filter(([c]) => !names.includes(c));
    } else {
      const client = String(opts.modify);
      if (words.length > 0) throw new OpenbpError('INVALID_PARAMETER', `unexpected argument '${words[0]}'`);
      const i = clients.findIndex(([c]) => c === client);
      if (i < 0) throw new OpenbpError('CLIENT_NOT_IN_POLICY', `client ${client} is not in policy ${policy.name}`);
      const [, [hw, os]] = clients[i]!;
      clients[i] = [client, [opts.hardware !== undefined ? checkWord(String(opts.hardware), '-hardware') : hw, opts.os !== undefined ? checkWord(String(opts.os), '-os') : os]];
    }
    await savePolicy(ctx.home, { ...policy, clients });
    return { status: 0, json: { clients } };
  },
});
