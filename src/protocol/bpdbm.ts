// bpdbm: the image catalogue (headers, .f files) and the policy configuration.

import { message } from './message.js';
import { arr, bool, bytes, empty, int, num, obj, opt, str } from './schema.js';
import { fileRecord, fragmentRecord, imageRecord, importCandidate, policyRecord } from './records.js';
import { OpenbpError } from './errors.js';

const ID_EXISTS = 'already exists in the catalogue';

/** create-image's refusal of a backup id the catalogue already holds (133). */
export function backupIdExists(backupid: string): OpenbpError {
  return new OpenbpError('INVALID_REQUEST', `backup id ${backupid} ${ID_EXISTS}`);
}

/** Whether a create-image failure is that refusal (nbjm then takes the next id). */
export function isBackupIdExists(e: OpenbpError): boolean {
  return e.code === 'INVALID_REQUEST' && e.message.endsWith(ID_EXISTS);
}

const imageFilter = obj({
  client: opt(str),
  backupid: opt(str),
  policy: opt(str),
  since: opt(int),
  until: opt(int),
  includeIncomplete: opt(bool),
});

export const bpdbm = {
  /** Starts an image: its header is kept apart (not listed) until commitImage. */
  createImage: message('bpdbm', 'create-image', imageRecord, empty),
  /** Appends catalogue lines for files of an image being written. */
  addFiles: message('bpdbm', 'add-files', obj({ backupid: str, files: arr(fileRecord) }), empty),
  /**
   * Appends `count` catalogue entries of an image being written, encoded as one .f block payload
   * (formats/files-file.ts; raw bytes beside the JSON, ipc/byte-fields.ts), as bpbkar made it. A block that does not decode is refused whole (133).
   */
  addFileBlock: message('bpdbm', 'add-file-block', obj({ backupid: str, count: int, block: bytes }), empty),
  /** Records a finished fragment and its block index section (base64; appended to the image's .blk). */
  addFragment: message('bpdbm', 'add-fragment', obj({ backupid: str, fragment: fragmentRecord, blocks: opt(str) }), empty),
  /** The block index of a committed image (base64 of its .blk file; '' when it has none). */
  imageBlocks: message('bpdbm', 'image-blocks', obj({ backupid: str }), obj({ index: str })),
  /** Makes an image complete and visible, with its final counts. */
  commitImage: message('bpdbm', 'commit-image', obj({ backupid: str, kbytes: int, numFiles: int, elapsed: int, backupStatus: int }), imageRecord),
  /** Forgets an image that did not complete; returns its fragments so storage can be reclaimed. */
  abortImage: message('bpdbm', 'abort-image', obj({ backupid: str }), obj({ fragments: arr(fragmentRecord) })),
  /**
   * bpdbm -consistency -repair: removes .f files without a header, aborts images left pending, moves
   * images whose .f or fragments are gone (or short) aside to db/damaged-images (unlisted), and returns
   * the fragment files on `units` that no image lists, for the caller to remove. 220 while an image is
   * being written.
   */
  repairCatalogue: message('bpdbm', 'repair-catalogue', obj({ units: arr(str) }), obj({ actions: arr(str), stray: arr(str) })),
  listImages: message('bpdbm', 'list-images', imageFilter, obj({ images: arr(imageRecord) })),
  /**
   * Sets a committed image's expiration (epoch seconds; 2147483647 = infinity), its fragments' too; the
   * header is rewritten atomically. `client`, when given, must be the image's (227 otherwise, as for an unknown id).
   */
  setExpiration: message('bpdbm', 'set-expiration', obj({ backupid: str, expiration: int, client: opt(str) }), imageRecord),
  /**
   * Removes a committed image from the catalogue (header first: it is unlisted from then on, then its .f).
   * Returns its fragments so the caller reclaims storage. 227 when there is no such image (or not of `client`).
   */
  deleteImage: message('bpdbm', 'delete-image', obj({ backupid: str, client: opt(str) }), obj({ image: imageRecord, fragments: arr(fragmentRecord) })),
  /**
   * Catalogue entries under a path, from the newest image inside [since, until] (or one image), a page
   * at a time: the first request opens a listing (227 when no image holds the path) and its reply
   * carries `next` while more remains; send the same request with `cursor: next` for the following
   * page on the same connection (the listing ends when the connection closes). Each page holds runs of
   * entries of one image in walk order, encoded as a .f block payload (src/formats/files-file.ts:
   * decodeBlock(base64-decoded entries, count)), so a million entries cost no JSON per entry.
   */
  listFiles: message(
    'bpdbm',
    'list-files',
    obj({
      client: str, path: str, since: opt(int), until: opt(int), depth: opt(int), allVersions: opt(bool), backupid: opt(str),
      /** bplist -I: match the path without regard to case. */
      caseInsensitive: opt(bool),
      /** bplist -k / -t: only images of this policy / policy type. */
      policy: opt(str),
      policyType: opt(int),
      /** Continue the listing this connection opened (the `next` of the previous reply). */
      cursor: opt(str),
      /** Entries wanted per page (bpdbm caps it). */
      pageSize: opt(int),
    }),
    obj({
      runs: arr(obj({ backupid: str, backupTime: int, count: int, entries: str })),
      next: opt(str),
    }),
  ),
  /** For a restore: which image holds each path (newest inside [since, until]) and what to read. */
  resolveRestore: message(
    'bpdbm',
    'resolve-restore',
    obj({ client: str, paths: arr(str), since: opt(int), until: opt(int) }),
    obj({
      /** rangeStart/rangeEnd: the part of the image stream holding the selected entries (end exclusive, -1 = to the end). */
      plans: arr(obj({ image: imageRecord, paths: arr(str), entries: int, rangeStart: opt(num), rangeEnd: opt(num) })),
      missing: arr(str),
      /** True when the plans rebuild a point in time across a full and incrementals: run them one after another, in order (oldest first). */
      ordered: opt(bool),
    }),
  ),
  /** Every file record of one committed image (in_image flag included), in walk order, a page at a time. */
  imageFiles: message(
    'bpdbm',
    'image-files',
    obj({ backupid: str, start: int, count: int }),
    obj({ files: arr(fileRecord), next: opt(int) }),
  ),
  /**
   * A committed image's .f file list copied as it is to `file` (an incremental's base for bpbkar, which
   * reads the frozen .f format itself: no record crosses the socket). `file` must be a new
   * `<jobid>.base.f` directly in $OPENBP_HOME/run/jobs/.
   */
  exportImageFiles: message('bpdbm', 'export-image-files', obj({ backupid: str, file: str }), obj({ entries: int })),
  /**
   * bpimport phase 1: the images found on cartridge `mediaId`. Each replaces the fragments an earlier phase 1
   * recorded on that cartridge for the same backup ID (fragments on other cartridges stay). Images already in
   * the catalogue are not recorded; they are returned in `known`.
   */
  recordImportCandidates: message(
    'bpdbm',
    'record-import-candidates',
    obj({ mediaId: str, candidates: arr(importCandidate) }),
    obj({ recorded: arr(str), known: arr(str) }),
  ),
  /** Import candidates, filtered as bpimport phase 2 selects them (backup time within [since, until]). */
  listImportCandidates: message(
    'bpdbm',
    'list-import-candidates',
    obj({ backupid: opt(str), mediaId: opt(str), client: opt(str), policy: opt(str), since: opt(int), until: opt(int) }),
    obj({ candidates: arr(importCandidate) }),
  ),
  /** Drops a candidate (imported, or given up); 227 when there is none. */
  forgetImportCandidate: message('bpdbm', 'forget-import-candidate', obj({ backupid: str }), empty),
  getPolicy: message('bpdbm', 'get-policy', obj({ name: str }), policyRecord),
  listPolicies: message('bpdbm', 'list-policies', empty, obj({ policies: arr(policyRecord) })),
  putPolicy: message('bpdbm', 'put-policy', obj({ policy: policyRecord, create: bool }), empty),
  /** Removes a policy (230 when it does not exist). */
  deletePolicy: message('bpdbm', 'delete-policy', obj({ name: str }), empty),
};
