// bpbrm's verify: bptm reads the whole image (every block's checksum checked) into a pipe that bpbrm parses as tar.

import type { Readable } from 'node:stream';
import type { Home } from '../../config/home.js';
import { readBufferTunables } from '../../config/tunables.js';
import type { LogLine } from '../../config/daemon-log.js';
import type { BpbrmSpec, BptmSpec } from '../../protocol/job-specs.js';
import { bptmEvent } from '../../protocol/job-events.js';
import { bpjobd } from '../../protocol/bpjobd.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import type { FileRecord } from '../../protocol/records.js';
import type { RequestOf } from '../../protocol/message.js';
import { startJobChild, throttle } from './job-io.js';
import { mediaStatus, type SideEnd } from './outcome.js';
import type { JobEnd, JobPeers } from './job-end.js';
import { removeBptmBuffer } from './bptm-buffer.js';
import { checkImageStream } from './stream-check.js';
import { imageReadExtras } from './image-read-extras.js';

const PAGE = 10000;

/** The image's .f records in order, fetched a page at a time. */
async function* catalogueRecords(peers: JobPeers, backupid: string): AsyncGenerator<FileRecord> {
  let start: number | undefined = 0;
  while (start !== undefined) {
    const page: { files: FileRecord[]; next?: number } = await peers.bpdbm.request(bpdbm.imageFiles, { backupid, start, count: PAGE });
    yield* page.files;
    start = page.next;
  }
}

/** Verify's status: the media side's failure (checksum, short or missing fragment) first, then the stream's. */
export function verifyOutcome(media: number, stream: number): number {
  if (media !== 0) return media;
  return stream;
}

export async function runVerify(home: Home, spec: BpbrmSpec, peers: JobPeers, log: LogLine): Promise<JobEnd> {
  const tun = readBufferTunables(home, 'restore');
  const jobUpdate = (body: RequestOf<typeof bpjobd.update>) => peers.bpjobd.request(bpjobd.update, body).catch(() => {});
  const media: SideEnd = { code: null, signal: null };
  let mediaMessage: string | undefined;
  const progress = throttle<{ kbytes: number; files: number }>(1000, (p) => void jobUpdate({ jobid: spec.jobid, patch: { kbytes: p.kbytes, files: p.files } }));

  const blockSize = spec.fragments[0]?.blockSize ?? tun.bufferSize;
  const bptmSpec: BptmSpec = {
    jobid: spec.jobid, backupid: spec.backupid, direction: 'read', unit: spec.unit, numberOfBuffers: tun.numberOfBuffers,
    bufferSize: blockSize > 0 ? blockSize : tun.bufferSize, fragments: spec.fragments, rangeStart: 0, rangeEnd: -1, copy: 1,
    retentionLevel: spec.retentionLevel, expiration: spec.expiration, ...(spec.tape ? { tape: spec.tape } : {}),
    ...(await imageReadExtras(home, peers, spec.backupid)),
  };
  const bptm = startJobChild(home, 'bptm', spec.jobid, bptmSpec, 'ignore', 'pipe', (v) => {
    const ev = bptmEvent.parse(v);
    if (ev.kind === 'end') {
      media.reported = ev.status;
      if (ev.message) mediaMessage = ev.message;
    }
  });
  void jobUpdate({ jobid: spec.jobid, patch: { jobpid: process.pid }, tryPatch: { pid: process.pid }, tryLines: ['connected', 'begin verifying'] });

  const check = await checkImageStream(bptm.child.stdout as Readable, catalogueRecords(peers, spec.backupid), (bytes, files) =>
    progress.push({ kbytes: Math.floor(bytes / 1024), files }),
  );
  Object.assign(media, await bptm.done);
  removeBptmBuffer(spec.jobid, bptm.child.pid);
  progress.flush();
  const mediaEnd = mediaStatus(media, 'read');
  const status = verifyOutcome(mediaEnd, check.status);
  const message = mediaEnd !== 0 ? mediaMessage ?? `bptm ended with status ${mediaEnd}` : check.message;
  const lines = [
    ...(message ? [message] : []),
    `end verifying; read ${check.bytes} bytes, ${check.entries} entries (catalogue: ${check.expected})`,
  ];
  await jobUpdate({ jobid: spec.jobid, patch: {}, tryLines: lines });
  log(`job ${spec.jobid}: verify of ${spec.backupid}: bptm ${JSON.stringify(media)} stream ${check.status} (${check.entries}/${check.expected} entries) -> ${status}`);
  return { status, kbytes: Math.ceil(check.bytes / 1024), files: check.entries, ...(message ? { message } : {}) };
}
