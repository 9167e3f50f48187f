// Records and homes for bpdbm tests.

import type { FileRecord, FragmentRecord, ImageRecord } from '../../../src/protocol/records.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { homeAt, type Home } from '../../../src/config/home.js';
import { OpenbpError } from '../../../src/protocol/errors.js';

export function image(client: string, backupTime: number, over: Partial<ImageRecord> = {}): ImageRecord {
  return {
    client,
    backupid: `${client}_${backupTime}`,
    policy: 'openbp-default',
    policyType: 0,
    schedLabel: 'default-user',
    schedType: 'UBAK',
    retentionLevel: 1,
    backupTime,
    elapsed: 0,
    expiration: backupTime + 14 * 86400,
    compression: 0,
    encryption: 0,
    kbytes: 0,
    numFiles: 0,
    copies: 1,
    numFragments: 0,
    keyword: '',
    jobid: 7,
    creator: 'root',
    primaryCopy: 1,
    backupStatus: 0,
    stunit: 'openbp-default-disk',
    fragments: [],
    ...over,
  };
}

export function fragment(n: number, over: Partial<FragmentRecord> = {}): FragmentRecord {
  return {
    copy: 1,
    fragment: n,
    kbytes: 1024,
    remainder: 0,
    mediaType: 0,
    density: 0,
    fileNumber: 0,
    mediaId: `/stu/default/host_1700000000_C1_F${n}`,
    host: 'master',
    blockSize: 262144,
    offset: 0,
    mediaDate: 1_700_000_000,
    devWritten: 0,
    flags: 0,
    expiration: 1_701_209_600,
    retentionLevel: 1,
    streamOffset: (n - 1) * 1048576,
    bytes: 1048576,
    checksum: 'ab'.repeat(32),
    ...over,
  };
}

export function file(path: string, type: FileRecord['type'] = 'f', over: Partial<FileRecord> = {}): FileRecord {
  return {
    path,
    type,
    mode: type === 'd' ? 0o40755 : 0o100644,
    uid: 0,
    gid: 0,
    user: 'root',
    group: 'root',
    size: type === 'd' ? 0 : 3004,
    mtimeNs: '1699790700000000000',
    ctime: 1_699_790_700,
    atime: 1_699_790_700,
    ino: 42,
    dev: 2049,
    offset: 0,
    link: '',
    ...over,
  };
}

/** A fresh, empty home under the temp directory (the caller removes home.root). */
export function tempHome(prefix: string): Home {
  return homeAt(fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`)));
}

/** The NetBackup status fn throws, or undefined when it does not throw. */
export function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof OpenbpError) return e.status;
    throw e;
  }
  return undefined;
}
