// bpbkar: the client backup process; pax stream on stdout, file records and warnings on fd 3.

import fs from 'node:fs';
import { defineCommand } from '../cli/command.js';
import { bpbkarSpec } from '../protocol/job-specs.js';
import { runBackup } from '../client/bpbkar/backup.js';
import { readJobSpec, jobEventSink } from '../cli/job-spec-file.js';
import { openBase } from '../client/bpbkar/native-base.js';
import { becomeUser } from '../client/run-as.js';

export const command = defineCommand({
  name: 'bpbkar',
  summary: 'back up client files: write a pax stream to stdout and file records to descriptor 3',
  options: [{ flag: '--spec', key: 'spec', kind: 'string', arg: 'FILE', help: 'JSON job spec (BpbkarSpec)' }],
  epilog:
    'A spec with runAs (a user-directed backup by a non-root user) reads the files with that user\'s rights.\n' +
    'Exit status: 0 all files saved; 1 some files could not be read; 71 none of the paths exist.',
  async run(_ctx, opts) {
    const spec = readJobSpec(opts.spec, bpbkarSpec);
    const events = jobEventSink();
    // The base records sit in the master's private run/ directory: read them before taking a user's rights.
    // Held by the addon when it can read it (then its listings are matched with it in C).
    const base = spec.baseFiles !== undefined ? await openBase(spec.baseFiles) : undefined;
    if (spec.runAs) becomeUser(spec.runAs);
    // A pipe on stdout (bpbrm's data pipe to bptm): large file bodies are spliced into it.
    const outPipeFd = fs.fstatSync(1).isFIFO() ? 1 : undefined;
    const result = await runBackup(spec, { out: process.stdout, onEvent: events, ...(base ? { base } : {}), ...(outPipeFd !== undefined ? { outPipeFd } : {}) });
    return { status: result.status };
  },
});
