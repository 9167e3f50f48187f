// Extended attributes (and POSIX ACLs) to and from pax records, as GNU tar --xattrs --acls writes them.

import { sys } from '../native/sys.js';
import type { IdNames } from './id-names.js';
import { aclTextToXattr, aclXattrToText } from './acl-text.js';

export const XATTR_PREFIX = 'SCHILY.xattr.';
const ACL_ACCESS_XATTR = 'system.posix_acl_access';
const ACL_DEFAULT_XATTR = 'system.posix_acl_default';
const ACL_RECORDS: ReadonlyArray<readonly [string, string]> = [
  ['SCHILY.acl.access', ACL_ACCESS_XATTR],
  ['SCHILY.acl.default', ACL_DEFAULT_XATTR],
];

/** Something that could not be captured or applied: the entry still goes on, the caller warns. */
export interface XattrProblem {
  message: string;
  code?: string;
}

function isPlainAscii(s: string): boolean {
  return /^[\x21-\x7e]+$/.test(s) && !s.includes('=');
}

/**
 * Every xattr of `path` (not following symlinks) as pax records, values as byte strings: SCHILY.acl.access /
 * .default first (text, for GNU tar --acls), then SCHILY.xattr.<name> with the raw value for every attribute,
 * the ACL ones included (as GNU tar 1.34 does with --xattrs). Empty when the file has none.
 */
export function captureXattrs(path: Buffer, names: IdNames, problems: XattrProblem[]): Record<string, string> {
  let list: Buffer[];
  try {
    list = sys().llistxattr(path);
  } catch (e) {
    problems.push({ message: `cannot list extended attributes: ${(e as Error).message}`, code: (e as NodeJS.ErrnoException).code });
    return {};
  }
  const values = new Map<string, Buffer>();
  for (const raw of list.sort(Buffer.compare)) {
    const name = raw.toString('latin1');
    if (!isPlainAscii(name)) {
      problems.push({ message: `extended attribute name ${JSON.stringify(name)} cannot be stored; skipped`, code: 'EXATTRNAME' });
      continue;
    }
    try {
      const v = sys().lgetxattr(path, raw);
      if (v !== null) values.set(name, v);
    } catch (e) {
      problems.push({ message: `cannot read extended attribute ${name}: ${(e as Error).message}`, code: (e as NodeJS.ErrnoException).code });
    }
  }
  const out: Record<string, string> = {};
  for (const [record, xattr] of ACL_RECORDS) {
    const v = values.get(xattr);
    if (!v) continue;
    try {
      out[record] = aclXattrToText(v, names);
    } catch (e) {
      problems.push({ message: `cannot convert ${xattr} to text: ${(e as Error).message}`, code: 'EACL' });
    }
  }
  for (const [name, v] of values) out[`${XATTR_PREFIX}${name}`] = v.toString('latin1');
  return out;
}

/** The attributes an entry's records ask for: SCHILY.xattr.* raw, SCHILY.acl.* translated when no raw ACL came along. */
export function xattrsToApply(extra: Record<string, string> | undefined, names: IdNames, problems: XattrProblem[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!extra) return out;
  for (const [k, v] of Object.entries(extra)) if (k.startsWith(XATTR_PREFIX) && k.length > XATTR_PREFIX.length) out.set(k.slice(XATTR_PREFIX.length), Buffer.from(v, 'latin1'));
  for (const [record, xattr] of ACL_RECORDS) {
    const text = extra[record];
    if (text === undefined || out.has(xattr) || text.trim() === '') continue;
    try {
      out.set(xattr, aclTextToXattr(Buffer.from(text, 'latin1').toString('utf8'), names));
    } catch (e) {
      problems.push({ message: `cannot restore ${record}: ${(e as Error).message}`, code: 'EACL' });
    }
  }
  return out;
}

/** Sets each attribute on `path` (not following symlinks); failures become problems, never exceptions. */
export function applyXattrs(path: Buffer, attrs: Map<string, Buffer>, problems: XattrProblem[]): void {
  for (const [name, value] of attrs) {
    try {
      sys().lsetxattr(path, Buffer.from(name, 'latin1'), value);
    } catch (e) {
      problems.push({ message: `cannot set extended attribute ${name}: ${(e as Error).message}`, code: (e as NodeJS.ErrnoException).code });
    }
  }
}
