// Deterministic datasets for the benchmark. Same parameters -> same bytes, so runs on different
// days and machines back up the same thing. A marker file records the parameters; a directory whose
// marker matches is reused instead of regenerated.
//
//   big:   N incompressible files (AES-CTR keystream) + one hex text file (compresses ~2:1)
//   small: many files of 0-64 KiB in a 3-level tree of 50-file directories, odd files hex text
//   tiny:  many empty or tiny (1-100 B) files, 1,000 per directory (catalogue / listing figures)
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const MIB = 1024 * 1024;

/** Keystream of AES-128-CTR keyed by a name: deterministic incompressible bytes. */
function keystream(name) {
  const key = crypto.createHash('sha256').update(`openbp-bench:${name}`).digest().subarray(0, 16);
  const cipher = crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return (n) => cipher.update(Buffer.alloc(n));
}

/** Small seeded PRNG (mulberry32) for sizes and choices. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hex text lines (64 hex chars + newline): half-compressible. */
function hexText(rand, n) {
  const raw = rand(Math.ceil(n / 2)).toString('hex');
  const lines = raw.replace(/(.{64})/g, '$1\n');
  return Buffer.from(lines.slice(0, n));
}

function prepared(dir, params) {
  const marker = path.join(dir, '.bench-dataset.json');
  try {
    const m = JSON.parse(fs.readFileSync(marker, 'utf8'));
    if (JSON.stringify(m.params) === JSON.stringify(params)) return m;
  } catch {}
  return null;
}

function finish(dir, params, stats) {
  const m = { params, ...stats };
  fs.writeFileSync(path.join(dir, '.bench-dataset.json'), JSON.stringify(m));
  return m;
}

// The marker lives inside the tree; it is one more tiny file in every backup, counted in `files`.
function reset(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

/** big: `files` x `fileMiB` random + `textMiB` hex text. Returns {bytes, files, dirs}. */
export function makeBig(dir, { files = 4, fileMiB = 512, textMiB = 1024 } = {}) {
  const params = { kind: 'big', files, fileMiB, textMiB, v: 1 };
  const have = prepared(dir, params);
  if (have) return have;
  reset(dir);
  const chunk = 16 * MIB;
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const rand = keystream(`big-${i}`);
    const fd = fs.openSync(path.join(dir, `random-${i}.bin`), 'w');
    for (let done = 0; done < fileMiB * MIB; done += chunk) {
      const n = Math.min(chunk, fileMiB * MIB - done);
      fs.writeSync(fd, rand(n));
      bytes += n;
    }
    fs.closeSync(fd);
  }
  const rand = keystream('big-text');
  const fd = fs.openSync(path.join(dir, 'text.txt'), 'w');
  for (let done = 0; done < textMiB * MIB; done += chunk) {
    const n = Math.min(chunk, textMiB * MIB - done);
    fs.writeSync(fd, hexText(rand, n));
    bytes += n;
  }
  fs.closeSync(fd);
  return finish(dir, params, { bytes, files: files + 2, dirs: 1 });
}

/** small: `count` files of 0..maxKiB KiB, 50 per leaf directory, leaves under 2 levels of 10. */
export function makeSmall(dir, { count = 100000, maxKiB = 64 } = {}) {
  const params = { kind: 'small', count, maxKiB, v: 1 };
  const have = prepared(dir, params);
  if (have) return have;
  reset(dir);
  const rnd = prng(12345);
  const rand = keystream('small');
  const perDir = 50;
  let bytes = 0;
  let dirs = 1;
  let leaf = '';
  for (let i = 0; i < count; i++) {
    if (i % perDir === 0) {
      const d = Math.floor(i / perDir);
      const top = path.join(dir, `t${String(Math.floor(d / 100)).padStart(3, '0')}`);
      const mid = path.join(top, `m${String(Math.floor(d / 10) % 10)}`);
      leaf = path.join(mid, `l${d % 10}`);
      for (const p of [top, mid]) if (!fs.existsSync(p)) { fs.mkdirSync(p); dirs++; }
      fs.mkdirSync(leaf);
      dirs++;
    }
    const size = Math.floor(rnd() * (maxKiB * 1024 + 1));
    const data = i % 2 ? hexText(rand, size) : rand(size);
    fs.writeFileSync(path.join(leaf, `f${String(i).padStart(7, '0')}${i % 2 ? '.txt' : '.bin'}`), data);
    bytes += size;
  }
  return finish(dir, params, { bytes, files: count + 1, dirs });
}

/** tiny: `count` files, half empty, half 1..100 bytes, 1,000 per directory (2 levels). */
export function makeTiny(dir, { count = 1000000 } = {}) {
  const params = { kind: 'tiny', count, v: 1 };
  const have = prepared(dir, params);
  if (have) return have;
  reset(dir);
  const rnd = prng(777);
  const perDir = 1000;
  let bytes = 0;
  let dirs = 1;
  let leaf = '';
  const payload = Buffer.from('x'.repeat(100));
  for (let i = 0; i < count; i++) {
    if (i % perDir === 0) {
      const d = Math.floor(i / perDir);
      const top = path.join(dir, `a${String(Math.floor(d / 32)).padStart(3, '0')}`);
      if (!fs.existsSync(top)) { fs.mkdirSync(top); dirs++; }
      leaf = path.join(top, `b${String(d % 32).padStart(2, '0')}`);
      fs.mkdirSync(leaf);
      dirs++;
    }
    const size = rnd() < 0.5 ? 0 : 1 + Math.floor(rnd() * 100);
    fs.writeFileSync(path.join(leaf, `e${i}`), payload.subarray(0, size));
    bytes += size;
  }
  return finish(dir, params, { bytes, files: count + 1, dirs });
}
