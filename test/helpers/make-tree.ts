// Builds a tree holding everything a backup must bring back byte for byte and attribute for attribute.

import crypto from 'node:crypto';
import fs from 'node:fs';
import { sys } from '../../src/native/sys.js';

/** Length in bytes of the deepest path, relative to root (without the leading '/'). */
export const DEEP_PATH_BYTES = 3800;
/** The longest root (absolute, bytes) for which every path stays below PATH_MAX (4096 incl. NUL), with room to spare. */
export const MAX_ROOT_BYTES = 4095 - 1 - DEEP_PATH_BYTES - 1;

export interface FidelityTreeOptions {
  /** Also create a sparse 8.5 GiB file (size > 8 GiB needs a pax size record). Slow to back up. */
  hugeFile?: boolean;
  /** Size of the big regular file in MiB (default 20). */
  bigFileMiB?: number;
}

const B = (s: string | Buffer): Buffer => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s);
const join = (...parts: Array<string | Buffer>): Buffer => {
  const out: Buffer[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(Buffer.from('/'));
    out.push(B(p));
  });
  return Buffer.concat(out);
};

/** Deterministic pseudo-random bytes (different per seed), so trees are reproducible. */
function patternBytes(size: number, seed: number): Buffer {
  const key = crypto.createHash('sha256').update(`fidelity:${seed}`).digest();
  const cipher = crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

function setTimes(p: Buffer, sec: number, nsec: number, noFollow = true): void {
  sys().utimensat(p, sec, nsec, sec, nsec, noFollow);
}

/**
 * Creates the fidelity tree under `root` (created if missing; must be at most MAX_ROOT_BYTES long).
 * Ownership by other users is set only when running as root.
 */
export async function makeFidelityTree(root: string, opts: FidelityTreeOptions = {}): Promise<void> {
  if (Buffer.byteLength(root) > MAX_ROOT_BYTES) throw new Error(`root ${root} is longer than ${MAX_ROOT_BYTES} bytes`);
  const r = B(root);
  const isRoot = process.getuid?.() === 0;
  fs.mkdirSync(r, { recursive: true });
  const p = (...parts: Array<string | Buffer>) => join(r, ...parts);

  // Regular files around block and read-size boundaries.
  fs.mkdirSync(p('files'));
  const sizes: Array<[string, number]> = [
    ['empty', 0],
    ['one', 1],
    ['b511', 511],
    ['b512', 512],
    ['b513', 513],
    ['b10240', 10240],
    ['mib', 1024 * 1024],
    ['mib-plus-1', 1024 * 1024 + 1],
    ['three-mib-odd', 3 * 1024 * 1024 + 77],
  ];
  sizes.forEach(([name, size], i) => fs.writeFileSync(p('files', name), patternBytes(size, i)));
  fs.writeFileSync(p('files', 'big'), patternBytes((opts.bigFileMiB ?? 20) * 1024 * 1024 + 123, 99));
  fs.writeFileSync(p('files', 'zeros'), Buffer.alloc(100_000));
  if (opts.hugeFile) {
    const fd = fs.openSync(p('files', 'huge-sparse'), 'w');
    fs.ftruncateSync(fd, 8.5 * 1024 * 1024 * 1024);
    fs.writeSync(fd, Buffer.from('end'), 0, 3, 8.5 * 1024 * 1024 * 1024 - 3);
    fs.closeSync(fd);
  }

  // Directories: empty, unusual modes.
  fs.mkdirSync(p('dirs'));
  for (const [name, mode] of [['empty', 0o755], ['private', 0o700], ['readonly', 0o555], ['traverse-only', 0o711], ['sticky', 0o1777], ['setgid-dir', 0o2775]] as const) {
    fs.mkdirSync(p('dirs', name));
    if (name === 'readonly') fs.writeFileSync(p('dirs', name, 'inside'), 'inside a read-only dir\n');
    fs.chmodSync(p('dirs', name), mode);
  }

  // Symlinks: relative, absolute, dangling, to a directory, with an odd target.
  fs.mkdirSync(p('links'));
  fs.symlinkSync('../files/one', p('links', 'relative'));
  fs.symlinkSync('/etc/passwd', p('links', 'absolute'));
  fs.symlinkSync('does/not/exist', p('links', 'dangling'));
  fs.symlinkSync('../dirs/empty', p('links', 'to-dir'));
  fs.symlinkSync(Buffer.from([0x77, 0xff, 0x0a, 0x20, 0x74]), p('links', 'binary-target'));
  fs.symlinkSync('x'.repeat(300), p('links', 'long-target'));

  // Hard links: three names, across directories, and a hard-linked empty file.
  fs.mkdirSync(p('hard'));
  fs.mkdirSync(p('hard', 'sub'));
  fs.writeFileSync(p('hard', 'first'), 'shared content\n');
  fs.linkSync(p('hard', 'first'), p('hard', 'second'));
  fs.linkSync(p('hard', 'first'), p('hard', 'sub', 'third'));
  fs.writeFileSync(p('hard', 'empty-a'), '');
  fs.linkSync(p('hard', 'empty-a'), p('hard', 'empty-b'));

  // Special files.
  fs.mkdirSync(p('special'));
  sys().mkfifo(p('special', 'fifo'), 0o640);
  if (isRoot) {
    try {
      sys().mknod(p('special', 'null-dev'), 0o020666, 1, 3);
    } catch {
      /* no CAP_MKNOD in this container */
    }
  }

  // Modes with setuid, setgid, sticky.
  fs.mkdirSync(p('modes'));
  for (const [name, mode] of [['setuid', 0o4755], ['setgid', 0o2755], ['sticky-file', 0o1644], ['none', 0o000], ['all', 0o7777], ['exec', 0o751]] as const) {
    fs.writeFileSync(p('modes', name), `${name}\n`);
    fs.chmodSync(p('modes', name), mode);
  }

  // Names that break naive code.
  fs.mkdirSync(p('names'));
  const names: Buffer[] = [
    B('with space'),
    B('new\nline'),
    B('tab\there'),
    B(`quotes'"`),
    B('back\\slash'),
    B('-leading-dash'),
    B('--'),
    B('*?[glob]'),
    B('utf8-é-日本'),
    Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]), // invalid UTF-8
    Buffer.from([0x80]), // lone continuation byte
    Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31, 0xe9]), // latin-1 é
    B('a'.repeat(255)),
    Buffer.concat([B('é'.repeat(126)), B('x')]), // 253 bytes of multi-byte UTF-8
    Buffer.concat([Buffer.alloc(254, 0xe9), B('z')]), // 255 bytes, invalid UTF-8
  ];
  names.forEach((n, i) => fs.writeFileSync(join(p('names'), n), `name ${i}\n`));
  fs.mkdirSync(join(p('names'), Buffer.from([0x64, 0x69, 0x72, 0xff])));
  fs.writeFileSync(join(p('names'), Buffer.from([0x64, 0x69, 0x72, 0xff]), Buffer.from([0xc3, 0x28])), 'inside a binary dir\n');
  fs.symlinkSync(Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]), join(p('names'), B('link-to-binary')));

  // A path of exactly DEEP_PATH_BYTES bytes relative to root.
  let rel = 'deep';
  fs.mkdirSync(p(rel));
  let seg = 0;
  while (DEEP_PATH_BYTES - rel.length - 1 > 255) {
    const name = `${String(seg++).padStart(3, '0')}${'d'.repeat(Math.min(247, DEEP_PATH_BYTES - rel.length - 1 - 255 - 1) - 3)}`;
    rel = `${rel}/${name}`;
    fs.mkdirSync(p(rel));
  }
  const last = 'f'.repeat(DEEP_PATH_BYTES - rel.length - 1);
  rel = `${rel}/${last}`;
  fs.writeFileSync(p(rel), 'deepest\n');

  // Ownership by others (root only): a file, a directory, a symlink, numeric ids without names.
  fs.mkdirSync(p('owners'));
  fs.writeFileSync(p('owners', 'nobody'), 'owned by nobody\n');
  fs.writeFileSync(p('owners', 'numeric'), 'owned by 12345:23456\n');
  fs.mkdirSync(p('owners', 'dir'));
  fs.symlinkSync('numeric', p('owners', 'link'));
  fs.writeFileSync(p('owners', 'setuid-other'), 'setuid and owned by 12345\n');
  if (isRoot) {
    fs.chownSync(p('owners', 'nobody'), 65534, 65534);
    fs.chownSync(p('owners', 'numeric'), 12345, 23456);
    fs.chownSync(p('owners', 'dir'), 12345, 65534);
    fs.lchownSync(p('owners', 'link'), 23456, 12345);
    fs.chownSync(p('owners', 'setuid-other'), 12345, 23456);
  }
  fs.chmodSync(p('owners', 'setuid-other'), 0o6750);

  // Nanosecond times on everything, deepest first so directories keep theirs.
  setTimesRecursive(r, 1_500_000_000);
}

function setTimesRecursive(root: Buffer, baseSec: number): void {
  let n = 0;
  const visit = (dir: Buffer): void => {
    for (const name of fs.readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare)) {
      const child = join(dir, name);
      const st = fs.lstatSync(child);
      if (st.isDirectory()) visit(child);
      n++;
      setTimes(child, baseSec + n * 3607, (n * 123_456_789 + 1) % 1_000_000_000);
    }
  };
  visit(root);
  // One file with a time before the epoch and one with exactly zero nanoseconds.
  const files = join(root, B('files'));
  setTimes(join(files, B('one')), -86_400 * 365, 5);
  setTimes(join(files, B('empty')), 1_000_000_000, 0);
  setTimes(files, baseSec, 999_999_999);
  setTimes(root, baseSec, 1);
}
