// bptm: moves one image between a pipe and a storage unit through a shared-memory ring (parent + child).

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { binaryEnv, dropSpares, hasSpare, keepSpare, spawnBinary } from '../ipc/spawn.js';
import { defineCommand } from '../cli/command.js';
import { OpenbpError } from '../protocol/errors.js';
import { bptmSpec } from '../protocol/job-specs.js';
import { readJobSpec, jobEventSink } from '../cli/job-spec-file.js';
import { Stop } from '../media/bptm/stop.js';
import { startChild, startedNow } from '../media/bptm/child-start.js';
import type { TapeHooks } from '../media/bptm/storage-for-unit.js';
import type { Home } from '../config/home.js';


/** SIGTERM, SIGINT and SIGHUP stop the job with status 150 (the cleanup still runs). */
function stopOnSignals(stop: Stop): void {
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(sig, () => stop.trigger(new OpenbpError('TERMINATED_BY_ADMIN', `bptm received ${sig}`)));
  }
}

/** Tape jobs ask nbjm for the next volume; their media steps go to bptm's log (stderr). */
function tapeHooks(home: Home, jobid: number): TapeHooks {
  return {
    nextVolume: async (mediaId, reason) => {
      const [{ callDaemon }, { nbjm }] = await Promise.all([import('../cli/daemon-call.js'), import('../protocol/nbjm.js')]);
      return (await callDaemon(home, nbjm.nextMedia, { jobid, mediaId, reason })).volume;
    },
    log: (line) => process.stderr.write(`${new Date().toISOString()} bptm[${process.pid}] job ${jobid}: ${line}\n`),
  };
}

/** Once the result is printed, nothing may keep the process (a pipe reader, a child's pipe) alive. */
function exitSoon(): void {
  setTimeout(() => process.exit(), 200).unref();
}

export const command = defineCommand({
  name: 'bptm',
  summary: 'media manager: write an image from stdin to a storage unit, or read one to stdout, through a shared-memory ring',
  options: [
    { flag: '--spec', key: 'spec', kind: 'string', arg: 'FILE', help: 'the job spec (JSON, BptmSpec)' },
    { flag: '--child', key: 'child', kind: 'flag', help: 'internal: run as the child of the bptm pair' },
    { flag: '--shm', key: 'shm', kind: 'string', arg: 'FILE', help: 'internal: the buffer file the parent created (child only)' },
  ],
  epilog: [
    'Events (JSON lines) go to descriptor 3: fragment, progress, end.',
    'Exit status: 0 ok, 50 client stream error, 83 media open error, 84 media write error,',
    '85 media read error, 89 shared memory setup failed, 90 no data received, 129 disk storage unit full,',
    '150 terminated by a signal, 24 restore stream closed by its reader, 20 invalid spec. See bptm(8).',
  ].join('\n'),
  // A spare bptm (kept by a spare bpbrm) becomes a parent: it keeps a spare of its child and loads its own part.
  async spare(_home, role) {
    if (role.includes('--child')) {
      await import('../media/bptm/child.js');
      return;
    }
    keepSpare('bptm', { env: binaryEnv(), fd3Pipe: true, role: ['--child'] });
    await import('../media/bptm/parent.js');
  },
  async run(ctx, opts) {
    process.title = 'bptm';
    const spec = readJobSpec(opts.spec, bptmSpec);
    const stop = new Stop();
    stopOnSignals(stop);
    try {
      if (opts.child === true) {
        if (typeof opts.shm !== 'string') throw new OpenbpError('INVALID_PARAMETER', '--child needs --shm FILE');
        // Each side loads only its own modules (the child is on the job's start-up path).
        const { runBptmChild } = await import('../media/bptm/child.js');
        const out = await runBptmChild({ spec, shmPath: opts.shm, stop });
        return { status: out.status };
      }
      // '--' ends node's own options: needed after `-e SCRIPT`, harmless before a script path.
      const selfArgs = [...process.execArgv, '--', ...process.argv.slice(1)];
      const spawnChild = (shmPath: string, stdio: StdioOptions): ChildProcess =>
        hasSpare('bptm')
          ? spawnBinary('bptm', [...process.argv.slice(2), '--child', '--shm', shmPath], { stdio, env: binaryEnv() })
          : spawn(process.execPath, [...selfArgs, '--child', '--shm', shmPath], { stdio, env: binaryEnv() });
      // The child starts before the parent's own modules load (a failure is reported by runBptmParent).
      const started = startedNow(() => startChild(spec, process.pid, stop, spawnChild));
      const { runBptmParent } = await import('../media/bptm/parent.js');
      const out = await runBptmParent({
        spec,
        pid: process.pid,
        stop,
        emit: jobEventSink(),
        ...(spec.unit.type === 'tape' ? { tape: tapeHooks(ctx.home, spec.jobid) } : {}),
        startChild: started,
      });
      return out.status === 0 ? { status: 0 } : { status: out.status, stderr: `bptm: ${out.message ?? 'failed'}` };
    } finally {
      dropSpares();
      exitSoon();
    }
  },
});
