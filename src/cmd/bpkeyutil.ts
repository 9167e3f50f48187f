// bpkeyutil: manage the encryption keys of policies with encryption at rest (bpplinfo -encrypt 1).

import crypto from 'node:crypto';
import { defineCommand, type CommandContext, type CommandResult } from '../cli/command.js';
import { formatNbDateTime } from '../cli/dates.js';
import { KEY_NAME, keyFilePath, keyFromPassphrase, keyTagOf, readKeys, writeKeys, type StoredKey } from '../config/key-store.js';
import { OpenbpError } from '../protocol/errors.js';

export type BpkeyutilAction =
  | { kind: 'create'; name: string; passphrase?: string }
  | { kind: 'list' }
  | { kind: 'activate'; tag: string }
  | { kind: 'delete'; tag: string };

function keyLines(keys: readonly StoredKey[]): string[] {
  const head = `${'Key Tag'.padEnd(17)} ${'State'.padEnd(8)} ${'Created'.padEnd(19)} Key Name`;
  return [head, `${'-'.repeat(17)} ${'-'.repeat(8)} ${'-'.repeat(19)} ${'-'.repeat(16)}`, ...keys.map((k) => `${k.tag.padEnd(17)} ${(k.active ? 'active' : 'inactive').padEnd(8)} ${formatNbDateTime(k.created).padEnd(19)} ${k.name}`)];
}

function byTag(keys: readonly StoredKey[], tag: string): StoredKey {
  const k = keys.find((x) => x.tag === tag);
  if (!k) throw new OpenbpError('NO_ENTITY', `no key with tag ${tag} (bpkeyutil -list)`);
  return k;
}

export async function runBpkeyutil(ctx: CommandContext, action: BpkeyutilAction, now: number): Promise<CommandResult> {
  const file = keyFilePath(ctx.home);
  const keys = readKeys(file);
  const pub = (k: StoredKey) => ({ tag: k.tag, name: k.name, created: k.created, active: k.active });
  switch (action.kind) {
    case 'list':
      return { status: 0, stdout: keyLines(keys).join('\n') + '\n', json: { keys: keys.map(pub) } };
    case 'create': {
      const key = action.passphrase !== undefined ? keyFromPassphrase(action.passphrase) : crypto.randomBytes(32);
      const tag = keyTagOf(key);
      if (keys.some((k) => k.tag === tag)) throw new OpenbpError('INVALID_PARAMETER', `key ${tag} is already in the key file`);
      const created: StoredKey = { tag, name: action.name, created: now, active: true, key };
      writeKeys(file, [...keys.map((k) => ({ ...k, active: false })), created]);
      return { status: 0, stdout: `created key ${tag} (${action.name}); it is the active key for encrypted backups\nkeep a copy of ${file}: encrypted images cannot be restored without their key\n`, json: pub(created) };
    }
    case 'activate': {
      const k = byTag(keys, action.tag);
      writeKeys(file, keys.map((x) => ({ ...x, active: x.tag === k.tag })));
      return { status: 0, stdout: `key ${k.tag} (${k.name}) is the active key\n`, json: { ...pub(k), active: true } };
    }
    case 'delete': {
      const k = byTag(keys, action.tag);
      writeKeys(file, keys.filter((x) => x.tag !== k.tag));
      return { status: 0, stdout: `deleted key ${k.tag} (${k.name}); images encrypted with it can no longer be restored\n`, json: pub(k) };
    }
  }
}

async function readPassphrase(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text.length < 8) throw new OpenbpError('INVALID_PARAMETER', '-stdin: the passphrase must have at least 8 characters');
  return text;
}

function normalise(opts: Record<string, unknown>): { action: BpkeyutilAction; stdin: boolean } {
  const verbs = ['create', 'list', 'display', 'activate', 'delete'].filter((v) => opts[v] !== undefined && opts[v] !== false);
  if (verbs.length !== 1) throw new OpenbpError('INVALID_PARAMETER', 'give one of -create, -list, -activate, -delete');
  const tag = (): string => {
    const t = opts.keytag;
    if (typeof t !== 'string' || !/^[0-9a-f]{16}$/.test(t)) throw new OpenbpError('INVALID_PARAMETER', '-keytag: give the 16 hex digit tag bpkeyutil -list shows');
    return t;
  };
  switch (verbs[0]) {
    case 'create': {
      const name = opts.keyname === undefined ? 'key' : String(opts.keyname);
      if (!KEY_NAME.test(name)) throw new OpenbpError('INVALID_PARAMETER', `-keyname: '${name}' is not a key name (letters, digits, . _ -, at most 64)`);
      return { action: { kind: 'create', name }, stdin: opts.stdin === true };
    }
    case 'activate':
      return { action: { kind: 'activate', tag: tag() }, stdin: false };
    case 'delete':
      return { action: { kind: 'delete', tag: tag() }, stdin: false };
    default:
      return { action: { kind: 'list' }, stdin: false };
  }
}

export const command = defineCommand({
  name: 'bpkeyutil',
  summary: 'create, list, activate and delete the keys that encrypt images at rest (policies with bpplinfo -encrypt 1)',
  options: [
    { flag: '-create', key: 'create', kind: 'flag', help: 'create a key (random, or from a passphrase with -stdin) and make it the active key' },
    { flag: '-keyname', key: 'keyname', kind: 'string', arg: 'name', help: 'name of the key to create (default: key)' },
    { flag: '-stdin', key: 'stdin', kind: 'flag', help: 'with -create: derive the key from a passphrase read on stdin (the same passphrase re-creates it)' },
    { flag: '-list', key: 'list', kind: 'flag', help: 'list the keys: tag, state, creation date, name' },
    { flag: '-display', key: 'display', kind: 'flag', help: 'same as -list' },
    { flag: '-activate', key: 'activate', kind: 'flag', help: 'make the key -keytag the active key' },
    { flag: '-delete', key: 'delete', kind: 'flag', help: 'delete the key -keytag (its images can no longer be restored)' },
    { flag: '-keytag', key: 'keytag', kind: 'string', arg: 'tag', help: 'the key to activate or delete' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'The keys live in $OPENBP_HOME/keys/keyfile (mode 0600). Exit status: 0 done; 20 bad usage; 227 no such key. See bpkeyutil(8).',
  async run(ctx, opts) {
    const { action, stdin } = normalise(opts);
    const full: BpkeyutilAction = stdin && action.kind === 'create' ? { ...action, passphrase: await readPassphrase() } : action;
    return runBpkeyutil(ctx, full, Math.floor(Date.now() / 1000));
  },
});
