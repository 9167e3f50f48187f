// The encryption key file under $OPENBP_HOME (keys/keyfile, mode 0600): written by bpkeyutil, read by bptm.
//
// Text, version 1:
//   OPENBP_KEYFILE 1
//   KEY <tag> <active|inactive> <created epoch> <name> <key, base64 of 32 bytes>
// The tag (16 hex digits) is derived from the key, so a key cannot be swapped under an image's tag.
// Whole-file writes are atomic (temp, fsync, rename). At most one key is active: new encrypted images use it.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Home } from './home.js';
import { writeFileAtomic } from './atomic-file.js';
import { OpenbpError } from '../protocol/errors.js';

export interface StoredKey {
  readonly tag: string;
  readonly name: string;
  readonly created: number;
  readonly active: boolean;
  readonly key: Buffer;
}

const FIRST_LINE = 'OPENBP_KEYFILE 1';
export const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function keyFilePath(home: Home): string {
  return path.join(home.root, 'keys', 'keyfile');
}

/** The tag of a key: the first 16 hex digits of sha256("openbp key tag\0" || key). */
export function keyTagOf(key: Buffer): string {
  return crypto.createHash('sha256').update('openbp key tag\0').update(key).digest('hex').slice(0, 16);
}

/** A key derived from a passphrase (scrypt, fixed salt): the same passphrase gives the same key again. */
export function keyFromPassphrase(passphrase: string): Buffer {
  return crypto.scryptSync(passphrase, 'openbp bpkeyutil v1', 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
}

/** The keys in the file; none when the file does not exist. A malformed file is 20 with the line. */
export function readKeys(file: string): StoredKey[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new OpenbpError('FILE_OPEN_FAILED', `cannot read the key file ${file}: ${(e as Error).message}`);
  }
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] !== FIRST_LINE) throw new OpenbpError('INVALID_PARAMETER', `${file} is not an openbp key file`);
  return lines.slice(1).map((line, i) => {
    const [kw, tag, state, created, name, b64] = line.split(' ');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (kw !== 'KEY' || !/^[0-9a-f]{16}$/.test(tag ?? '') || (state !== 'active' && state !== 'inactive') || key.length !== 32 || !KEY_NAME.test(name ?? '')) {
      throw new OpenbpError('INVALID_PARAMETER', `${file} line ${i + 2} is not a key line`);
    }
    return { tag: tag!, name: name!, created: Number(created), active: state === 'active', key };
  });
}

export function writeKeys(file: string, keys: readonly StoredKey[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const lines = [FIRST_LINE, ...keys.map((k) => `KEY ${k.tag} ${k.active ? 'active' : 'inactive'} ${k.created} ${k.name} ${k.key.toString('base64')}`)];
  writeFileAtomic(file, lines.join('\n') + '\n', 0o600);
}

/** The active key, or 83 with what to do. */
export function activeKey(file: string): StoredKey {
  const k = readKeys(file).find((x) => x.active);
  if (!k) throw new OpenbpError('MEDIA_OPEN_ERROR', `the policy encrypts but there is no active encryption key in ${file} (create one with bpkeyutil -create)`);
  return k;
}

/** The key with this id (a tag, or the first 16 hex digits of one), or 85 naming the missing key. */
export function keyById(file: string, keyId: string): StoredKey {
  const k = readKeys(file).find((x) => x.tag === keyId);
  if (!k) throw new OpenbpError('MEDIA_READ_ERROR', `encryption key ${keyId} is not in the key file ${file}; the image cannot be decrypted without it (bpkeyutil -list)`);
  return k;
}
