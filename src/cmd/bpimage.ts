// bpimage -cleanup: run an image cleanup job now (expired images out of the catalogue and storage) and wait for it.

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { nbpem } from '../protocol/nbpem.js';
import { OpenbpError } from '../protocol/errors.js';
import { statusMessage } from '../protocol/status.js';

export const command = defineCommand({
  name: 'bpimage',
  summary: 'catalogue maintenance: -cleanup -allclients runs an image cleanup job now',
  options: [
    { flag: '-cleanup', key: 'cleanup', kind: 'flag', help: 'remove expired images (and their fragments) now, as the periodic cleanup job does' },
    { flag: '-allclients', key: 'allclients', kind: 'flag', help: 'every client (the only scope supported)' },
    { flag: '-prune_tir', key: 'pruneTir', kind: 'flag', help: 'accepted for compatibility; openbp keeps no separate TIR data' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'Exit status: the cleanup job\'s status (0 all expired images removed, 1 some could not be); 20 bad usage.\nThe job shows in bpdbjobs as type 17 (image cleanup).',
  async run(ctx, opts) {
    if (opts.cleanup !== true) throw new OpenbpError('INVALID_PARAMETER', 'bpimage: only -cleanup -allclients is supported');
    if (opts.allclients !== true) throw new OpenbpError('INVALID_PARAMETER', '-cleanup needs -allclients (cleanup of one client is not supported)');
    const r = await callDaemon(ctx.home, nbpem.cleanupImages, {});
    const out = `image cleanup job ${r.jobid}: ${r.removed.length} expired image(s) removed, ${r.kept.length} kept for dependent incrementals\n`;
    return { status: r.status, stdout: out, ...(r.status !== 0 ? { stderr: `${statusMessage(r.status)}\n` } : {}), json: r };
  },
});
