// The image header file: `KEY value` lines in bpimagelist -l IMAGE order, one FRAGMENT line per fragment (FRAG order).
//
// Frozen format, version 1:
//   HEADER_VERSION 1
//   CLIENT_NAME <client>            one line per IMAGE field, in VA17904 order (values openbp does not
//   ...                             track are written as NetBackup prints them: 0 or *NULL*)
//   IMAGE_ATTRIB 0
//   STORAGE_UNIT <label>            openbp extras follow the IMAGE fields
//   FRAGMENT <35 FRAG columns> <stream_offset> <bytes> <checksum>
// Values are single tokens (see tokens.ts): '' is *NULL*, strings with spaces or odd bytes are quoted.
// Readers ignore keys they do not know, so later versions may append keys.

import { SCHED_TYPES, type FragmentRecord, type ImageRecord, type SchedType } from '../protocol/records.js';
import { filesFileName, schedTypeFromCode } from './catalog-paths.js';
import { decodeTokens, encodeToken } from './tokens.js';

export const HEADER_VERSION = 1;
/** The image format version printed in IMAGE field 4 (NetBackup 6.5/7.0 images are 8). */
export const IMAGE_VERSION = 8;

type Value = string | number;

interface Field<R> {
  /** Field name as VA17904 lists it. */
  readonly name: string;
  /** Key in the header file. */
  readonly key: string;
  readonly get: (r: R) => Value;
  /** Record key the value parses into (absent: fixed value, not read back). */
  readonly into?: keyof R;
  readonly kind?: 'int' | 'str' | 'sched' | 'optstr';
}

function f<R>(name: string, key: string, get: (r: R) => Value, into?: keyof R, kind: 'int' | 'str' | 'sched' | 'optstr' = 'int'): Field<R> {
  return into === undefined ? { name, key, get, kind } : { name, key, get, into, kind };
}
const zero = () => 0;
const nul = () => '';

/** IMAGE record fields in bpimagelist -l order (VA17904). */
export const IMAGE_FIELDS: readonly Field<ImageRecord>[] = [
  f('client_name', 'CLIENT_NAME', (r) => r.client, 'client', 'str'),
  f('date1', 'DATE1', zero),
  f('date2', 'DATE2', zero),
  f('version', 'IMAGE_VERSION', () => IMAGE_VERSION),
  f('backupid', 'BACKUP_ID', (r) => r.backupid, 'backupid', 'str'),
  f('policy_name', 'POLICY_NAME', (r) => r.policy, 'policy', 'str'),
  f('client_type', 'CLIENT_TYPE', (r) => r.policyType, 'policyType'),
  f('proxy_client', 'PROXY_CLIENT', nul),
  f('creator', 'CREATOR', (r) => r.creator, 'creator', 'str'),
  f('sched_label', 'SCHED_LABEL', (r) => r.schedLabel, 'schedLabel', 'str'),
  f('sched_type', 'SCHED_TYPE', (r) => SCHED_TYPES[r.schedType].code, 'schedType', 'sched'),
  f('retention', 'RETENTION_LEVEL', (r) => r.retentionLevel, 'retentionLevel'),
  f('backup_time', 'BACKUP_TIME', (r) => r.backupTime, 'backupTime'),
  f('elapsed', 'ELAPSED', (r) => r.elapsed, 'elapsed'),
  f('expiration', 'EXPIRATION', (r) => r.expiration, 'expiration'),
  f('compression', 'COMPRESSION', (r) => r.compression, 'compression'),
  f('encryption', 'ENCRYPTION', (r) => r.encryption, 'encryption'),
  f('kbytes', 'KBYTES', (r) => r.kbytes, 'kbytes'),
  f('num_files', 'NUM_FILES', (r) => r.numFiles, 'numFiles'),
  f('copies', 'COPIES', (r) => r.copies, 'copies'),
  f('num_fragments', 'NUM_FRAGMENTS', (r) => r.numFragments, 'numFragments'),
  f('files_compressed', 'FILES_COMPRESSED', zero),
  f('files_file', 'FILES_FILE', (r) => filesFileName(r.policy, r.backupTime, r.schedType)),
  f('version', 'SW_VERSION', nul),
  f('name1', 'NAME1', nul),
  f('options', 'OPTIONS', zero),
  f('primary', 'PRIMARY_COPY', (r) => r.primaryCopy, 'primaryCopy'),
  f('image_type', 'IMAGE_TYPE', zero),
  f('tir_info', 'TIR_INFO', zero),
  f('tir_expiration', 'TIR_EXPIRATION', zero),
  f('keywords', 'KEYWORD', (r) => r.keyword, 'keyword', 'str'),
  f('mpx', 'MPX', zero),
  f('ext_security', 'EXT_SECURITY_INFO', zero),
  f('raw', 'RAW', zero),
  f('dump_lvl', 'DUMP_LEVEL', zero),
  f('fs_only', 'FILESYS_ONLY', zero),
  f('prev_BItime', 'PREV_BLOCK_INCR_TIME', zero),
  f('BIfull_time', 'BLOCK_INCR_FULL_TIME', zero),
  f('obj_desc', 'OBJECT_DESC', nul),
  f('requestID', 'REQUEST_PID', zero),
  f('backup_stat', 'BACKUP_STATUS', (r) => r.backupStatus, 'backupStatus'),
  f('backup_copy', 'BACKUP_COPY', zero),
  f('prev_image', 'PREV_IMAGE', zero),
  f('jobid', 'JOB_ID', (r) => r.jobid, 'jobid'),
  f('num_resumes', 'NUM_RESUMES', zero),
  f('resume_expr', 'RESUME_EXPIRATION', zero),
  f('ff_size', 'FILES_FILE_SIZE', zero),
  f('pfi_type', 'PFI_TYPE', zero),
  f('image_attrib', 'IMAGE_ATTRIB', zero),
];

/** openbp fields kept in the header after the IMAGE fields (not printed by bpimagelist -l). */
const EXTRA_FIELDS: readonly Field<ImageRecord>[] = [f('stunit', 'STORAGE_UNIT', (r) => r.stunit, 'stunit', 'str')];

/** openbp fields written only when the image has them (older headers lack them): the stream of a multi-stream backup. */
const OPTIONAL_FIELDS: readonly Field<ImageRecord>[] = [f('stream_number', 'STREAM_NUMBER', (r) => r.streamNumber ?? 0, 'streamNumber')];
const present = (image: ImageRecord, fd: Field<ImageRecord>) => image[fd.into!] !== undefined;

/** FRAG record columns in bpimagelist -l order (VA17904). */
export const FRAG_FIELDS: readonly Field<FragmentRecord>[] = [
  f('copy_num', '', (r) => r.copy, 'copy'),
  f('frag_num', '', (r) => r.fragment, 'fragment'),
  f('KB', '', (r) => r.kbytes, 'kbytes'),
  f('remainder', '', (r) => r.remainder, 'remainder'),
  f('media_type', '', (r) => r.mediaType, 'mediaType'),
  f('density', '', (r) => r.density, 'density'),
  f('file_num', '', (r) => r.fileNumber, 'fileNumber'),
  f('id/path', '', (r) => r.mediaId, 'mediaId', 'str'),
  f('host', '', (r) => r.host, 'host', 'str'),
  f('block_size', '', (r) => r.blockSize, 'blockSize'),
  f('offset', '', (r) => r.offset, 'offset'),
  f('media_date', '', (r) => r.mediaDate, 'mediaDate'),
  f('dev_written', '', (r) => r.devWritten, 'devWritten'),
  f('f_flags', '', (r) => r.flags, 'flags'),
  f('media_desc', '', nul),
  f('expiration', '', (r) => r.expiration, 'expiration'),
  f('mpx', '', zero),
  f('ret_level', '', (r) => r.retentionLevel, 'retentionLevel'),
  f('checkpoint', '', zero),
  f('resume_nbr', '', zero),
  f('media_seq_no', '', zero),
  f('media_subtype', '', zero),
  f('ss_try_to_keep_date', '', zero),
  f('copy_date', '', zero),
  f('fragment_state', '', zero),
  f('data_format', '', zero),
  f('kms_key_tag', '', (r) => r.keyTag ?? '', 'keyTag', 'optstr'),
  f('slp_dest_tag', '', nul),
  f('mirror_parent', '', zero),
  f('copy_on_hold', '', zero),
  f('copy_dtemode', '', zero),
  f('hierarchical_dtemode', '', zero),
  f('copy_worm_lock_flags', '', zero),
  f('copy_worm_unlock_time', '', zero),
  f('held_for_dependent_copy', '', zero),
];

const FRAG_EXTRAS: readonly Field<FragmentRecord>[] = [
  f('stream_offset', '', (r) => r.streamOffset, 'streamOffset'),
  f('bytes', '', (r) => r.bytes, 'bytes'),
  f('checksum', '', (r) => r.checksum, 'checksum', 'str'),
];

/** The IMAGE record's values, in order, as bpimagelist -l prints them (without the leading "IMAGE"). */
export function imageFieldTokens(image: ImageRecord): string[] {
  return IMAGE_FIELDS.map((fd) => encodeToken(fd.get(image)));
}

/** A FRAG record's values, in order, as bpimagelist -l prints them (without the leading "FRAG"). */
export function fragFieldTokens(frag: FragmentRecord): string[] {
  return FRAG_FIELDS.map((fd) => encodeToken(fd.get(frag)));
}

/** Serialises an image to header text (UTF-8 of byte-string values is not applied: values are ASCII or escaped). */
export function serializeImageHeader(image: ImageRecord): string {
  const lines = [`HEADER_VERSION ${HEADER_VERSION}`];
  for (const fd of [...IMAGE_FIELDS, ...EXTRA_FIELDS]) lines.push(`${fd.key} ${encodeToken(fd.get(image))}`);
  for (const fd of OPTIONAL_FIELDS) if (present(image, fd)) lines.push(`${fd.key} ${encodeToken(fd.get(image))}`);
  for (const frag of image.fragments) {
    const cols = [...FRAG_FIELDS, ...FRAG_EXTRAS].map((fd) => encodeToken(fd.get(frag)));
    lines.push(`FRAGMENT ${cols.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

export class HeaderFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeaderFormatError';
  }
}

function toInt(v: string, what: string): number {
  if (!/^-?\d+$/.test(v)) throw new HeaderFormatError(`${what}: not an integer: '${v}'`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new HeaderFormatError(`${what}: out of range: '${v}'`);
  return n;
}

function assign<R>(target: Record<string, unknown>, fd: Field<R>, raw: string): void {
  if (fd.into === undefined) return;
  const what = fd.key || fd.name;
  if (fd.kind === 'str') target[fd.into as string] = raw;
  else if (fd.kind === 'optstr') {
    if (raw !== '') target[fd.into as string] = raw;
  }
  else if (fd.kind === 'sched') {
    const t = schedTypeFromCode(toInt(raw, what));
    if (!t) throw new HeaderFormatError(`${what}: unknown schedule type ${raw}`);
    target[fd.into as string] = t satisfies SchedType;
  } else target[fd.into as string] = toInt(raw, what);
}

/** Parses header text written by serializeImageHeader (any version up to HEADER_VERSION). */
export function parseImageHeader(text: string): ImageRecord {
  const lines = text.split('\n');
  const first = lines[0] ?? '';
  const m = /^HEADER_VERSION (\d+)$/.exec(first);
  if (!m) throw new HeaderFormatError('not an openbp image header (no HEADER_VERSION line)');
  if (Number(m[1]) > HEADER_VERSION) throw new HeaderFormatError(`image header version ${m[1]} is newer than this openbp (${HEADER_VERSION})`);
  const byKey = new Map<string, Field<ImageRecord>>();
  for (const fd of [...IMAGE_FIELDS, ...EXTRA_FIELDS]) if (fd.into !== undefined) byKey.set(fd.key, fd);
  const out: Record<string, unknown> = {};
  const fragments: FragmentRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    if (key === 'FRAGMENT') {
      fragments.push(parseFragmentColumns(decodeTokens(rest)));
      continue;
    }
    const fd = byKey.get(key) ?? OPTIONAL_FIELDS.find((o) => o.key === key);
    if (!fd) continue;
    const vals = decodeTokens(rest);
    assign(out, fd, vals[0] ?? '');
  }
  for (const fd of byKey.values()) {
    if (fd.kind !== 'optstr' && !(fd.into! in out)) throw new HeaderFormatError(`image header lacks ${fd.key}`);
  }

  out.fragments = fragments;
  return out as unknown as ImageRecord;
}

function parseFragmentColumns(cols: string[]): FragmentRecord {
  const all = [...FRAG_FIELDS, ...FRAG_EXTRAS];
  if (cols.length < all.length) throw new HeaderFormatError(`FRAGMENT line has ${cols.length} columns, want ${all.length}`);
  const out: Record<string, unknown> = {};
  all.forEach((fd, i) => assign(out, fd, cols[i]!));
  return out as unknown as FragmentRecord;
}
