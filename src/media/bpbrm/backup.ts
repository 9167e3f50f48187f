// bpbrm's backup: bpbkar's stream goes straight into bptm; file records go to bpdbm, progress to bpjobd.

import fs from 'node:fs';
import type { Readable } from 'node:stream';
import path from 'node:path';
import type { Home } from '../../config/home.js';
import { readBufferTunables } from '../../config/tunables.js';
import type { LogLine } from '../../config/daemon-log.js';
import type { BpbrmSpec, BpbkarSpec, BptmSpec } from '../../protocol/job-specs.js';
import { bpbkarEvent, bptmEvent } from '../../protocol/job-events.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { bpjobd } from '../../protocol/bpjobd.js';
import type { RequestOf } from '../../protocol/message.js';
import { OpenbpError } from '../../protocol/errors.js';
import { SerialQueue, startJobChild, throttle } from './job-io.js';
import { backupOutcome, clientStatus, mediaStatus, type SideEnd } from './outcome.js';
import type { JobEnd, JobPeers } from './job-end.js';
import { removeBptmBuffer } from './bptm-buffer.js';
import { reapOnAbnormalEnd } from './reap.js';
import { removeImageLeftovers } from '../../storage/disk/delete-fragments.js';
import { keyFilePath } from '../../config/key-store.js';
import { openDataPipe } from '../../ipc/data-pipe.js';

/** File-record batches (a 16 KiB block of records, or 1,000 JSON records, each) bpbrm holds for bpdbm before it stops reading bpbkar's events. */
const CATALOGUE_BATCHES_AHEAD = 8;

/** Has bpdbm copy the base image's .f file list to `file` (bpbkar reads it as it is); returns its entry count. */
async function writeBaseFiles(peers: JobPeers, backupid: string, file: string): Promise<number> {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.rmSync(file, { force: true }); // a leftover of an earlier job with this id
  const { entries } = await peers.bpdbm.request(bpdbm.exportImageFiles, { backupid, file });
  return entries;
}

export async function runBackup(home: Home, spec: BpbrmSpec, peers: JobPeers, log: LogLine): Promise<JobEnd> {
  const tun = readBufferTunables(home, spec.unit.type === 'tape' ? 'tape' : 'disk');
  const catalogue = new SerialQueue();
  const jobs = peers.bpjobd;
  const jobUpdate = (body: RequestOf<typeof bpjobd.update>) => jobs.request(bpjobd.update, body).catch(() => {});
  const warnings: string[] = [];
  let files = 0;
  let bytes = 0;
  const progress = throttle<{ kbytes: number; files: number; path: string }>(1000, (p) =>
    void jobUpdate({ jobid: spec.jobid, patch: { kbytes: p.kbytes, files: p.files, pathLastWritten: p.path } }),
  );

  const bptmSpec: BptmSpec = {
    jobid: spec.jobid, backupid: spec.backupid, direction: 'write', unit: spec.unit, numberOfBuffers: tun.numberOfBuffers,
    bufferSize: tun.bufferSize, copy: 1, retentionLevel: spec.retentionLevel, expiration: spec.expiration, ...(spec.tape ? { tape: spec.tape } : {}),
    ...(spec.image ? { image: spec.image } : {}),
    ...(spec.compress ? { compress: true } : {}), ...(spec.encrypt ? { encrypt: true, keyFile: keyFilePath(home) } : {}),
  };
  const media: SideEnd = { code: null, signal: null };
  const client: SideEnd = { code: null, signal: null };
  let mediaMessage: string | undefined;

  // bpbkar's stream goes to bptm through a real pipe of 1 MiB (a spawn's 'pipe' would be a socket pair of 208 KiB).
  const data = openDataPipe();
  const bptm = startJobChild(home, 'bptm', spec.jobid, bptmSpec, data.read, 'ignore', (v) => {
    const ev = bptmEvent.parse(v);
    if (ev.kind === 'fragment') {
      const { fragment, blocks } = ev;
      catalogue.push(() => peers.bpdbm.request(bpdbm.addFragment, { backupid: spec.backupid, fragment, ...(blocks ? { blocks } : {}) }));
      void jobUpdate({ jobid: spec.jobid, patch: {}, tryLines: [`fragment ${ev.fragment.fragment} written (${ev.fragment.kbytes} KB)`] });
    } else if (ev.kind === 'progress') {
      bytes = ev.bytes;
      progress.push({ kbytes: Math.floor(bytes / 1024), files, path: '' });
    } else if (ev.kind === 'warning') {
      warnings.push(`bptm: ${ev.message}`);
    } else {
      media.reported = ev.status;
      bytes = ev.bytes;
      if (ev.message) mediaMessage = ev.message;
    }
  });
  let baseFiles: string | undefined;
  if (spec.baseBackupid !== undefined) {
    baseFiles = path.join(home.run, 'jobs', `${spec.jobid}.base.f`);
    try {
      const n = await writeBaseFiles(peers, spec.baseBackupid, baseFiles);
      log(`job ${spec.jobid}: incremental against ${spec.baseBackupid} (${n} base records)`);
    } catch (e) {
      // Without the base every file counts as changed: the image is complete, only larger.
      warnings.push(`cannot read the file list of base image ${spec.baseBackupid}: ${(e as Error).message}; backing up every file`);
      fs.rmSync(baseFiles, { force: true });
      baseFiles = undefined;
    }
  }
  const bpbkarSpec: BpbkarSpec = {
    jobid: spec.jobid, backupid: spec.backupid, client: spec.client, paths: spec.paths, ...(baseFiles ? { baseFiles } : {}), ...(spec.runAs ? { runAs: spec.runAs } : {}),
  };
  const bpbkar = startJobChild(home, 'bpbkar', spec.jobid, bpbkarSpec, 'ignore', data.write, (v) => {
    const ev = bpbkarEvent.parse(v);
    if (ev.kind === 'file-block') {
      // Forwarded as it came: bpbrm does not read the records.
      files += ev.count;
      const { count, block } = ev;
      catalogue.push(() => peers.bpdbm.request(bpdbm.addFileBlock, { backupid: spec.backupid, count, block }));
      holdClientWhileCatalogueBehind();
      progress.push({ kbytes: Math.floor(bytes / 1024), files, path: ev.last });
    } else if (ev.kind === 'files') {
      files += ev.files.length;
      const batch = ev.files;
      catalogue.push(() => peers.bpdbm.request(bpdbm.addFiles, { backupid: spec.backupid, files: batch }));
      holdClientWhileCatalogueBehind();
      progress.push({ kbytes: Math.floor(bytes / 1024), files, path: batch[batch.length - 1]?.path ?? '' });
    } else if (ev.kind === 'warning') {
      warnings.push(ev.message.includes(ev.path) ? ev.message : `${ev.path}: ${ev.message}`);
    } else {
      client.reported = ev.status;
      files = ev.files;
    }
  });
  // File records wait here only while bpdbm is behind by a few batches: then bpbkar's event pipe is
  // not read (its writes block) until bpdbm has caught up, so memory does not grow with the tree.
  let held = false;
  function holdClientWhileCatalogueBehind(): void {
    if (held || catalogue.pending <= CATALOGUE_BATCHES_AHEAD) return;
    const events = bpbkar.child.stdio[3] as Readable;
    held = true;
    events.pause();
    catalogue.whenAtMost(CATALOGUE_BATCHES_AHEAD / 2, () => {
      held = false;
      events.resume();
    });
  }
  // Our copy of the pipe's write end must close, or bptm never sees the end of the stream.
  data.close();
  log(`job ${spec.jobid}: bptm pid ${bptm.child.pid}, bpbkar pid ${bpbkar.child.pid}`);
  void jobUpdate({ jobid: spec.jobid, patch: { jobpid: process.pid }, tryPatch: { pid: process.pid }, tryLines: ['connected', 'begin writing'] });

  reapOnAbnormalEnd(bptm.child, 'bptm', log, true);
  reapOnAbnormalEnd(bpbkar.child, 'bpbkar', log, false);
  const [bkEnd, tmEnd] = await Promise.all([bpbkar.done, bptm.done]);
  removeBptmBuffer(spec.jobid, bptm.child.pid);
  if (baseFiles) fs.rmSync(baseFiles, { force: true });
  Object.assign(client, bkEnd);
  Object.assign(media, tmEnd);
  progress.flush();
  let catalogueError: string | undefined;
  let catalogueStatus = 220;
  try {
    await catalogue.drain();
  } catch (e) {
    catalogueError = (e as Error).message;
    // bpdbm gone mid-job: the network statuses (40, 42...) say so; anything else is a database error.
    if (e instanceof OpenbpError && e.status >= 23 && e.status <= 44) catalogueStatus = e.status;
  }
  const cs = clientStatus(client);
  const ms = mediaStatus(media, 'write');
  // A bptm that failed or was killed may leave fragment files behind: nothing of this image may stay.
  if (ms !== 0 && spec.unit.type === 'disk') {
    const left = await removeImageLeftovers(spec.unit.path, spec.backupid, 1).catch(() => []);
    if (left.length) log(`job ${spec.jobid}: removed ${left.length} leftover fragment file(s)`);
  }
  let status = backupOutcome(cs, ms);
  if (catalogueError && status <= 1) status = catalogueStatus;
  const lines = warnings.slice(0, 1000).map((w) => `WRN - ${w}`);
  if (warnings.length > 1000) lines.push(`WRN - ${warnings.length - 1000} more files could not be backed up`);
  lines.push(`end writing; wrote ${bytes} bytes`);
  await jobUpdate({ jobid: spec.jobid, patch: {}, tryLines: lines });
  log(`job ${spec.jobid}: bpbkar ${JSON.stringify(client)} bptm ${JSON.stringify(media)} -> ${status}`);
  const message = catalogueError ?? (ms !== 0 ? mediaMessage : undefined) ?? (warnings[0] ? `${warnings.length} file(s) not backed up, first: ${warnings[0]}` : undefined);
  return { status, kbytes: Math.ceil(bytes / 1024), files, ...(message ? { message } : {}) };
}
