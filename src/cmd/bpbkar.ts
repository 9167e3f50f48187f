// bpbkar: the client backup process; pax stream on stdout, file records and warnings on fd 3.

import { defineCommand } from '../cli/command.js';
import { OpenbpError } from '../protocol/errors.js';
import { bpbkarSpec } from '../protocol/job-specs.js';
import { EventWriter } from '../ipc/event-lines.js';
import { runBackup } from '../client/bpbkar/backup.js';
import { readSpecFile, eventSink } from '../client/spec-file.js';

export const command = defineCommand({
  name: 'bpbkar',
  summary: 'back up client files: write a pax stream to stdout and file records to descriptor 3',
  options: [{ flag: '--spec', key: 'spec', kind: 'string', arg: 'FILE', help: 'JSON job spec (BpbkarSpec)' }],
  epilog: 'Exit status: 0 all files saved; 1 some files could not be read; 71 none of the paths exist.',
  async run(_ctx, opts) {
    if (typeof opts.spec !== 'string') throw new OpenbpError('INVALID_PARAMETER', '--spec FILE is required');
    const spec = bpbkarSpec.parse(readSpecFile(opts.spec));
    const events = eventSink(3, (fd) => new EventWriter(fd));
    const result = await runBackup(spec, { out: process.stdout, onEvent: events });
    return { status: result.status };
  },
});
