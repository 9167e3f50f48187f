// POSIX ACLs between the kernel's system.posix_acl_* xattr bytes and the short text GNU tar keeps in SCHILY.acl.*.

import type { IdNames } from './id-names.js';

const VERSION = 2;
const UNDEFINED_ID = 0xffffffff;
const TAGS = { userObj: 0x01, user: 0x02, groupObj: 0x04, group: 0x08, mask: 0x10, other: 0x20 } as const;

export class AclFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AclFormatError';
  }
}

interface AclEntry {
  tag: number;
  perm: number;
  id: number;
}

function decodeXattr(value: Buffer): AclEntry[] {
  if (value.length < 4 || (value.length - 4) % 8 !== 0 || value.readUInt32LE(0) !== VERSION) throw new AclFormatError('not a version 2 POSIX ACL');
  const out: AclEntry[] = [];
  for (let p = 4; p < value.length; p += 8) out.push({ tag: value.readUInt16LE(p), perm: value.readUInt16LE(p + 2), id: value.readUInt32LE(p + 4) });
  return out;
}

function encodeXattr(entries: AclEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag || a.id - b.id); // the kernel wants this order
  const out = Buffer.alloc(4 + 8 * sorted.length);
  out.writeUInt32LE(VERSION, 0);
  sorted.forEach((e, i) => {
    out.writeUInt16LE(e.tag, 4 + 8 * i);
    out.writeUInt16LE(e.perm, 6 + 8 * i);
    out.writeUInt32LE(e.id, 8 + 8 * i);
  });
  return out;
}

function permText(perm: number): string {
  return `${perm & 4 ? 'r' : '-'}${perm & 2 ? 'w' : '-'}${perm & 1 ? 'x' : '-'}`;
}

/** acl_to_text's long form, as GNU tar stores it: "user::rw-\nuser:nobody:r--\ngroup::r--\nmask::r--\nother::r--\n". */
export function aclXattrToText(value: Buffer, names: IdNames): string {
  const lines: string[] = [];
  for (const e of decodeXattr(value)) {
    const p = permText(e.perm);
    switch (e.tag) {
      case TAGS.userObj: lines.push(`user::${p}`); break;
      case TAGS.user: lines.push(`user:${names.userName(e.id) || e.id}:${p}`); break;
      case TAGS.groupObj: lines.push(`group::${p}`); break;
      case TAGS.group: lines.push(`group:${names.groupName(e.id) || e.id}:${p}`); break;
      case TAGS.mask: lines.push(`mask::${p}`); break;
      case TAGS.other: lines.push(`other::${p}`); break;
      default: throw new AclFormatError(`unknown ACL tag ${e.tag}`);
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** Parses acl_to_text / getfacl text (long or short tags, '#' comments, ',' or newline separated) into xattr bytes. */
export function aclTextToXattr(text: string, names: IdNames): Buffer {
  const entries: AclEntry[] = [];
  for (const raw of text.split(/[\n,]/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const m = /^(user|u|group|g|mask|m|other|o):([^:]*):([rwx-]{1,3})$/.exec(line);
    if (!m) throw new AclFormatError(`bad ACL entry '${line}'`);
    const kind = m[1]![0]!;
    const qual = m[2]!;
    const perm = (m[3]!.includes('r') ? 4 : 0) | (m[3]!.includes('w') ? 2 : 0) | (m[3]!.includes('x') ? 1 : 0);
    const id = (lookup: (n: string) => number | undefined): number => {
      const n = /^[0-9]+$/.test(qual) ? Number(qual) : lookup(qual);
      if (n === undefined) throw new AclFormatError(`unknown name '${qual}' in ACL`);
      return n;
    };
    if (kind === 'u') entries.push(qual === '' ? { tag: TAGS.userObj, perm, id: UNDEFINED_ID } : { tag: TAGS.user, perm, id: id((n) => names.uidOf(n)) });
    else if (kind === 'g') entries.push(qual === '' ? { tag: TAGS.groupObj, perm, id: UNDEFINED_ID } : { tag: TAGS.group, perm, id: id((n) => names.gidOf(n)) });
    else entries.push({ tag: kind === 'm' ? TAGS.mask : TAGS.other, perm, id: UNDEFINED_ID });
  }
  return encodeXattr(entries);
}
