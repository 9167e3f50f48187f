// nbtar: the client restore process; pax stream on stdin, progress and warnings on fd 3.

import { defineCommand } from '../cli/command.js';
import { OpenbpError } from '../protocol/errors.js';
import { nbtarSpec } from '../protocol/job-specs.js';
import { EventWriter } from '../ipc/event-lines.js';
import { runRestore } from '../client/nbtar/restore.js';
import { readSpecFile, eventSink } from '../client/spec-file.js';
import { fdChunks } from '../archive/fd-chunks.js';

export const command = defineCommand({
  name: 'nbtar',
  summary: 'restore client files: read a pax stream on stdin and write the selected entries safely',
  options: [{ flag: '--spec', key: 'spec', kind: 'string', arg: 'FILE', help: 'JSON job spec (NbtarSpec)' }],
  epilog:
    'Exit status: 0 all restored; 1 some files failed; 175 nothing selected could be restored;\n185 a selection matched no entry in the stream.',
  async run(_ctx, opts) {
    if (typeof opts.spec !== 'string') throw new OpenbpError('INVALID_PARAMETER', '--spec FILE is required');
    const spec = nbtarSpec.parse(readSpecFile(opts.spec));
    const events = eventSink(3, (fd) => new EventWriter(fd));
    const result = await runRestore(spec, { input: fdChunks(0), onEvent: events });
    return { status: result.status };
  },
});
