// nbtar: the client restore process; pax stream on stdin, progress and warnings on fd 3.

import { defineCommand } from '../cli/command.js';
import { nbtarSpec } from '../protocol/job-specs.js';
import { runRestore } from '../client/nbtar/restore.js';
import { readJobSpec, jobEventSink } from '../cli/job-spec-file.js';
import { fdChunks } from '../archive/fd-chunks.js';
import { becomeUser } from '../client/run-as.js';

export const command = defineCommand({
  name: 'nbtar',
  summary: 'restore client files: read a pax stream on stdin and write the selected entries safely',
  options: [{ flag: '--spec', key: 'spec', kind: 'string', arg: 'FILE', help: 'JSON job spec (NbtarSpec)' }],
  epilog:
    'A spec with runAs (a restore by a non-root user) writes with that user\'s rights and restores only their entries.\n' +
    'Exit status: 0 all restored; 1 some files failed; 175 nothing selected could be restored;\n185 a selection matched no entry in the stream.',
  async run(_ctx, opts) {
    const spec = readJobSpec(opts.spec, nbtarSpec);
    const events = jobEventSink();
    if (spec.runAs) becomeUser(spec.runAs);
    const result = await runRestore(spec, { input: fdChunks(0), onEvent: events });
    return { status: result.status };
  },
});
