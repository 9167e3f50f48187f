// bplist: list backed-up files of a client from the catalogue (bpdbm), as NetBackup's bplist.

import { defineCommand } from '../cli/command.js';
import { openFileListing, type ListingRun } from '../cli/file-listing.js';
import { ownsMaster } from '../cli/master-access.js';
import { parseNbDate, parseNbEndDate } from '../cli/dates.js';
import { formatBplistPaths, formatBplistRun, type BplistFormat } from '../cli/reports/bplist.js';
import { decodeBlock, skimBlock, typeOfFlags } from '../formats/files-file.js';
import { clientName, readBpConf } from '../config/bp-conf.js';
import { bpdbm } from '../protocol/bpdbm.js';
import { bprd } from '../protocol/bprd.js';
import { bytePathFromText } from '../protocol/byte-path.js';
import { OpenbpError } from '../protocol/errors.js';
import { statusMessage } from '../protocol/status.js';
import type { FileRecord } from '../protocol/records.js';

/** NetBackup's depth for -R without a number. */
export const DEFAULT_RECURSION = 999;

export const command = defineCommand({
  name: 'bplist',
  summary: 'list files backed up for a client',
  args: '[filename]',
  options: [
    { flag: '-C', key: 'client', kind: 'string', arg: 'client', help: 'client whose backups to list (default: CLIENT_NAME of this host)' },
    { flag: '-S', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
    { flag: '-t', key: 'policyType', kind: 'int', arg: 'policy_type', help: 'only backups of this policy type (0 = Standard)' },
    { flag: '-k', key: 'policy', kind: 'string', arg: 'policy', help: 'only backups of this policy' },
    { flag: '-s', key: 'start', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss]', help: 'only backups made at or after this date' },
    { flag: '-e', key: 'end', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss]', help: 'only backups made at or before this date (a date alone: end of that day)' },
    { flag: '-R', key: 'recurse', kind: 'flag', optionalValue: /^\d+$/, arg: 'depth', help: `list subdirectories recursively (to depth levels, default ${DEFAULT_RECURSION})` },
    { flag: '-l', key: 'long', kind: 'flag', help: 'long listing: mode owner group size date path' },
    { flag: '-b', key: 'backupTimes', kind: 'flag', help: 'show backup times (instead of modification times with -l)' },
    { flag: '-I', key: 'insensitive', kind: 'flag', help: 'match the file name without regard to case' },
    { flag: '-A', key: 'allVersions', kind: 'flag', help: 'list every backed-up version, newest first' },
  ],
  epilog:
    'Without -R a directory lists itself and its entries; directories end with "/".\n' +
    'A user other than root sees only the files they owned when they were backed up.\n' +
    'Exit status: 0, 227 when no backup holds the path ("EXIT STATUS 227: no entity was found" on stderr).',
  async run(ctx, opts, args) {
    if (args.length > 1) throw new OpenbpError('INVALID_PARAMETER', 'give one filename');
    // A user who does not own the master lists through bprd (their own files only); '' = the master's name for this client.
    const owner = ownsMaster(ctx.home);
    const client = opts.client !== undefined ? String(opts.client) : owner ? clientName(readBpConf(ctx.home)) : '';
    const since = opts.start !== undefined ? parseNbDate(String(opts.start), '-s') : undefined;
    const until = opts.end !== undefined ? parseNbEndDate(String(opts.end), '-e') : undefined;
    if (since !== undefined && until !== undefined && since > until) throw new OpenbpError('INVALID_PARAMETER', '-s date is after -e date');
    const depth = opts.recurse === undefined ? undefined : opts.recurse === true ? DEFAULT_RECURSION : Number(opts.recurse);
    const path = bytePathFromText(args[0] ?? '/');
    let runs: AsyncIterable<ListingRun>;
    try {
      runs = await openFileListing(ctx.home, owner ? bpdbm.listFiles : bprd.listFiles, {
        client,
        path,
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(depth !== undefined ? { depth } : {}),
        ...(opts.allVersions ? { allVersions: true } : {}),
        ...(opts.insensitive ? { caseInsensitive: true } : {}),
        ...(opts.policy !== undefined ? { policy: String(opts.policy) } : {}),
        ...(opts.policyType !== undefined ? { policyType: Number(opts.policyType) } : {}),
      });
    } catch (e) {
      if (e instanceof OpenbpError && e.status === 227) {
        return { status: 227, stderr: `EXIT STATUS 227: ${statusMessage(227)}`, json: { files: [], status: 227 } };
      }
      throw e;
    }
    if (ctx.json) return { status: 0, json: { files: await collect(runs) } };
    return { status: 0, stdout: printed(runs, { long: opts.long === true, backupTimes: opts.backupTimes === true }) };
  },
});

/** The listing's lines, run by run, as they arrive; a plain listing reads only paths and types. */
async function* printed(runs: AsyncIterable<ListingRun>, fmt: BplistFormat): AsyncGenerator<Uint8Array> {
  const plain = !fmt.long && !fmt.backupTimes;
  for await (const r of runs) {
    if (!plain) {
      yield formatBplistRun(r.backupid, r.backupTime, decodeBlock(r.payload, r.count), fmt);
      continue;
    }
    const { paths, flags } = skimBlock(r.payload, r.count);
    yield formatBplistPaths(paths, (i) => typeOfFlags(flags[i]!));
  }
}

/** Every listed entry, for --json. */
async function collect(runs: AsyncIterable<ListingRun>): Promise<Array<{ backupid: string; backupTime: number; file: FileRecord }>> {
  const out: Array<{ backupid: string; backupTime: number; file: FileRecord }> = [];
  for await (const r of runs) {
    for (const { inImage: _drop, ...file } of decodeBlock(r.payload, r.count)) out.push({ backupid: r.backupid, backupTime: r.backupTime, file });
  }
  return out;
}
