// bpbrm's restore: bptm reads the image into nbtar's stdin; nbtar writes the files.

import type { Home } from '../../config/home.js';
import { readBufferTunables } from '../../config/tunables.js';
import type { LogLine } from '../../config/daemon-log.js';
import type { BpbrmSpec, BptmSpec, NbtarSpec } from '../../protocol/job-specs.js';
import { bptmEvent, nbtarEvent } from '../../protocol/job-events.js';
import { bpjobd } from '../../protocol/bpjobd.js';
import type { RequestOf } from '../../protocol/message.js';
import { startJobChild, throttle } from './job-io.js';
import { clientStatus, mediaStatus, restoreOutcome, type SideEnd } from './outcome.js';
import type { JobEnd, JobPeers } from './job-end.js';
import { removeBptmBuffer } from './bptm-buffer.js';
import { reapOnAbnormalEnd } from './reap.js';
import { imageReadExtras } from './image-read-extras.js';
import { openDataPipe } from '../../ipc/data-pipe.js';

export async function runRestore(home: Home, spec: BpbrmSpec, peers: JobPeers, log: LogLine): Promise<JobEnd> {
  const tun = readBufferTunables(home, 'restore');
  const jobUpdate = (body: RequestOf<typeof bpjobd.update>) => peers.bpjobd.request(bpjobd.update, body).catch(() => {});
  const warnings: string[] = [];
  let files = 0;
  let bytes = 0;
  let mediaMessage: string | undefined;
  let clientMessage: string | undefined;
  const progress = throttle<{ kbytes: number; files: number; path: string }>(1000, (p) =>
    void jobUpdate({ jobid: spec.jobid, patch: { kbytes: p.kbytes, files: p.files, pathLastWritten: p.path } }),
  );
  const client: SideEnd = { code: null, signal: null };
  const media: SideEnd = { code: null, signal: null };

  // Asked before nbtar is spawned, so that bpdbm's answer overlaps the spawn (bptm, started next, needs it).
  const extras = imageReadExtras(home, peers, spec.backupid);
  extras.catch(() => {}); // awaited below
  const nbtarSpec: NbtarSpec = {
    jobid: spec.jobid, selections: spec.paths, renames: spec.renames, keepExisting: spec.keepExisting, restoreOwnership: spec.restoreOwnership,
    ...(spec.runAs ? { runAs: spec.runAs } : {}),
  };
  // bptm's stream goes to nbtar through a real pipe of 1 MiB (a spawn's 'pipe' would be a socket pair of 208 KiB).
  const data = openDataPipe();
  const nbtar = startJobChild(home, 'nbtar', spec.jobid, nbtarSpec, data.read, 'ignore', (v) => {
    const ev = nbtarEvent.parse(v);
    if (ev.kind === 'progress') {
      if (ev.files !== undefined) files = ev.files;
      progress.push({ kbytes: Math.floor(ev.bytes / 1024), files, path: ev.path ?? '' });
    } else if (ev.kind === 'warning') {
      warnings.push(`${ev.path}: ${ev.message}`);
    } else {
      client.reported = ev.status;
      files = ev.files;
      if (ev.message) clientMessage = ev.message;
    }
  });
  const blockSize = spec.fragments[0]?.blockSize ?? tun.bufferSize;
  const bptmSpec: BptmSpec = {
    jobid: spec.jobid, backupid: spec.backupid, direction: 'read', unit: spec.unit, numberOfBuffers: tun.numberOfBuffers,
    bufferSize: blockSize > 0 ? blockSize : tun.bufferSize, fragments: spec.fragments, rangeStart: spec.rangeStart ?? 0, rangeEnd: spec.rangeEnd ?? -1, copy: 1,
    retentionLevel: spec.retentionLevel, expiration: spec.expiration, ...(spec.tape ? { tape: spec.tape } : {}),
    ...(await extras),
  };
  const bptm = startJobChild(home, 'bptm', spec.jobid, bptmSpec, 'ignore', data.write, (v) => {
    const ev = bptmEvent.parse(v);
    if (ev.kind === 'progress') bytes = ev.bytes;
    else if (ev.kind === 'warning') warnings.push(`bptm: ${ev.message}`);
    else if (ev.kind === 'end') {
      media.reported = ev.status;
      bytes = ev.bytes;
      if (ev.message) mediaMessage = ev.message;
    }
  });
  data.close();
  void jobUpdate({ jobid: spec.jobid, patch: { jobpid: process.pid }, tryPatch: { pid: process.pid }, tryLines: ['connected', 'begin reading'] });

  reapOnAbnormalEnd(bptm.child, 'bptm', log, true);
  reapOnAbnormalEnd(nbtar.child, 'nbtar', log, false);
  const [tmEnd, tarEnd] = await Promise.all([bptm.done, nbtar.done]);
  removeBptmBuffer(spec.jobid, bptm.child.pid);
  Object.assign(media, tmEnd);
  Object.assign(client, tarEnd);
  progress.flush();
  const status = restoreOutcome(clientStatus(client), mediaStatus(media, 'read'));
  const lines = warnings.slice(0, 1000).map((w) => `WRN - ${w}`);
  if (warnings.length > 1000) lines.push(`WRN - ${warnings.length - 1000} more files could not be restored`);
  lines.push(`end reading; read ${bytes} bytes`);
  await jobUpdate({ jobid: spec.jobid, patch: {}, tryLines: lines });
  log(`job ${spec.jobid}: nbtar ${JSON.stringify(client)} bptm ${JSON.stringify(media)} -> ${status}`);
  const message = (mediaStatus(media, 'read') !== 0 ? mediaMessage : undefined) ?? clientMessage ?? (warnings[0] ? `${warnings.length} file(s) not restored, first: ${warnings[0]}` : undefined);
  return { status, kbytes: Math.ceil(bytes / 1024), files, ...(message ? { message } : {}) };
}
