// bppllist: list policies: names, or one / all / a client's policies as raw records (-l), human blocks (-U) or long form (-L).

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { loadPolicy, pickAction } from '../cli/policy-edit.js';
import { policyHuman, policyLong, policyRaw } from '../cli/reports/policies.js';
import { bpdbm } from '../protocol/bpdbm.js';
import { OpenbpError } from '../protocol/errors.js';
import type { PolicyRecord } from '../protocol/records.js';

export const command = defineCommand({
  name: 'bppllist',
  summary: 'list backup policies',
  args: '[policy]',
  options: [
    { flag: '-l', key: 'listRaw', kind: 'flag', help: 'raw CLASS/INFO/.../SCHED records (default with a policy)' },
    { flag: '-U', key: 'listHuman', kind: 'flag', help: 'human-readable blocks' },
    { flag: '-L', key: 'listLong', kind: 'flag', help: 'long form, one attribute a line' },
    { flag: '-allpolicies', key: 'allpolicies', kind: 'flag', help: 'every policy' },
    { flag: '-byclient', key: 'byclient', kind: 'string', arg: 'client', help: 'the policies that hold this client' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'Without a policy, -allpolicies or -byclient: the policy names, one a line.\nExit status: 0; 230 unknown policy; 227 no policy holds the -byclient client.',
  async run(ctx, opts, args) {
    if (args.length > 1) throw new OpenbpError('INVALID_PARAMETER', 'give at most one policy name');
    const format = pickAction(opts, { listRaw: '-l', listHuman: '-U', listLong: '-L' }) ?? 'listRaw';
    const [name] = args;
    if (name !== undefined && (opts.allpolicies || opts.byclient !== undefined)) {
      throw new OpenbpError('INVALID_PARAMETER', 'give a policy name, -allpolicies or -byclient, not several');
    }
    let policies: PolicyRecord[];
    if (name !== undefined) policies = [await loadPolicy(ctx.home, name)];
    else {
      policies = (await callDaemon(ctx.home, bpdbm.listPolicies, {})).policies;
      if (opts.byclient !== undefined) {
        policies = policies.filter((p) => p.clients.some(([c]) => c === opts.byclient));
        if (policies.length === 0) throw new OpenbpError('NO_ENTITY', `no policy holds client ${String(opts.byclient)}`);
      } else if (!opts.allpolicies) {
        return { status: 0, stdout: policies.map((p) => `${p.name}\n`).join(''), json: { policies: policies.map((p) => p.name) } };
      }
    }
    const render = format === 'listHuman' ? policyHuman : format === 'listLong' ? policyLong : policyRaw;
    return { status: 0, stdout: policies.map(render).join(format === 'listLong' ? '\n' : ''), json: { policies } };
  },
});
