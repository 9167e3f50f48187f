import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sys, ADDON_PATH, STAT, STAT_LENGTH } from '../../src/native/sys.js';

describe('openbp_sys native addon', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-sys-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is found at the repo build directory', () => {
    expect(fs.existsSync(ADDON_PATH)).toBe(true);
  });

  it('sets exact nanosecond times, also on a symlink itself', () => {
    const f = Buffer.from(path.join(dir, 'f\xff'), 'latin1');
    fs.writeFileSync(f, '');
    sys().utimensat(f, 1_000_000_000, 1, 1_700_000_000, 123_456_789, false);
    const st = fs.statSync(f, { bigint: true });
    expect(st.mtimeNs).toBe(1_700_000_000_123_456_789n);
    expect(st.atimeNs).toBe(1_000_000_000_000_000_001n);
    const l = Buffer.from(path.join(dir, 'l'));
    fs.symlinkSync(f, l);
    sys().utimensat(l, 5, 6, 7, 8, true);
    expect(fs.lstatSync(l, { bigint: true }).mtimeNs).toBe(7_000_000_008n);
    expect(fs.statSync(f, { bigint: true }).mtimeNs).toBe(1_700_000_000_123_456_789n);
  });

  it('writes a new file whole in one call: data, owner, mode, exact times, renamed over the destination', () => {
    const tmp = Buffer.from(path.join(dir, '.obp1'));
    const dest = Buffer.from(path.join(dir, 'f\xff'), 'latin1');
    fs.writeFileSync(dest, 'old');
    const data = Buffer.from('new contents');
    sys().writeNewFile(tmp, dest, data.subarray(4), 0, 0, 0o4751, 1_000_000_000, 1, 1_700_000_000, 123_456_789);
    const st = fs.statSync(dest, { bigint: true });
    expect(fs.readFileSync(dest, 'latin1')).toBe('contents');
    expect(Number(st.mode) & 0o7777).toBe(0o4751);
    expect(st.mtimeNs).toBe(1_700_000_000_123_456_789n);
    expect(st.atimeNs).toBe(1_000_000_000_000_000_001n);
    expect(fs.existsSync(tmp)).toBe(false);
  });

  it('writeNewFile names a new file only when it is whole: no temp name is left where nothing was in its place', () => {
    const tmp = Buffer.from(path.join(dir, '.obp0'));
    const dest = Buffer.from(path.join(dir, 'h'));
    sys().writeNewFile(tmp, dest, Buffer.from('fresh'), 0, 0, 0o640, 1, 2, 1_700_000_000, 5);
    expect(fs.readFileSync(dest, 'latin1')).toBe('fresh');
    expect(fs.statSync(dest).mode & 0o7777).toBe(0o640);
    expect(fs.statSync(dest, { bigint: true }).mtimeNs).toBe(1_700_000_000_000_000_005n);
    expect(fs.readdirSync(dir)).toEqual(['h']);
  });

  it('writeNewFile makes nothing when it must replace and the temp name is taken, and removes what it made when a later step fails', () => {
    const tmp = Buffer.from(path.join(dir, '.obp2'));
    fs.symlinkSync('/etc/passwd', tmp);
    const dest = Buffer.from(path.join(dir, 'g'));
    fs.writeFileSync(dest, 'old');
    expect(() => sys().writeNewFile(tmp, dest, Buffer.from('x'), -1, -1, 0o644, 0, 0, 0, 0)).toThrow(expect.objectContaining({ code: 'EEXIST', syscall: 'open' }));
    expect(fs.readlinkSync(tmp)).toBe('/etc/passwd');
    expect(fs.readFileSync(dest, 'latin1')).toBe('old');
    // A symlink in the destination's place is replaced, not followed.
    const link = Buffer.from(path.join(dir, 'l'));
    fs.symlinkSync(path.join(dir, 'target'), link);
    sys().writeNewFile(Buffer.from(path.join(dir, '.obp4')), link, Buffer.from('y'), -1, -1, 0o644, 0, 0, 0, 0);
    expect(fs.lstatSync(link).isFile()).toBe(true);
    expect(fs.existsSync(path.join(dir, 'target'))).toBe(false);
    // A directory in its place: EISDIR from the rename, nothing left behind.
    const sub = Buffer.from(path.join(dir, 'sub'));
    fs.mkdirSync(sub);
    expect(() => sys().writeNewFile(Buffer.from(path.join(dir, '.obp5')), sub, Buffer.from('z'), -1, -1, 0o644, 0, 0, 0, 0)).toThrow(expect.objectContaining({ code: 'EISDIR', syscall: 'rename' }));
    const bad = Buffer.from(path.join(dir, 'i'));
    expect(() => sys().writeNewFile(Buffer.from(path.join(dir, '.obp3')), bad, Buffer.from('x'), -1, -1, 0o644, 0, 2_000_000_000, 0, 0)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'futimens' }));
    expect(fs.existsSync(bad)).toBe(false);
    expect(() => sys().writeNewFile(Buffer.from(path.join(dir, '.obp6')), Buffer.from(path.join(dir, 'missing', 'g')), Buffer.from('x'), -1, -1, 0o644, 0, 0, 0, 0)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(fs.readdirSync(dir).sort()).toEqual(['.obp2', 'g', 'l', 'sub']);
  });

  it('writeToPipe writes a slice whole, also into a non-blocking pipe that fills, and throws EPIPE without a reader', async () => {
    const fifo = path.join(dir, 'fifo');
    sys().mkfifo(Buffer.from(fifo), 0o600);
    // Non-blocking, as Node leaves a piped stdout: the call waits for room instead of failing with EAGAIN.
    const w = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    expect(Number.parseInt(/flags:\s+([0-7]+)/.exec(fs.readFileSync(`/proc/self/fdinfo/${w}`, 'utf8'))![1]!, 8) & fs.constants.O_NONBLOCK).not.toBe(0);
    const data = Buffer.alloc(3 * 1024 * 1024, 7);
    data.write('head', 0);
    // The reader writes to a file: this thread is blocked in the call while the pipe is full.
    const out = path.join(dir, 'out');
    const child = spawn('sh', ['-c', 'sleep 0.2; cat "$0" > "$1"', fifo, out], { stdio: 'ignore' });
    const closed = new Promise((resolve) => child.on('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    sys().writeToPipe(w, data, 2, data.length - 2);
    fs.closeSync(w);
    await closed;
    expect(fs.readFileSync(out).equals(data.subarray(2))).toBe(true);
    const [r2, w2] = sys().pipe();
    fs.closeSync(r2);
    expect(() => sys().writeToPipe(w2, data, 0, 10)).toThrow(expect.objectContaining({ code: 'EPIPE' }));
    expect(() => sys().writeToPipe(w2, data, data.length - 1, 2)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    fs.closeSync(w2);
  });

  it('checkedVmsplice puts a run of blocks into a pipe, each only once it matches its checksum', async () => {
    const [r, w] = sys().pipe();
    sys().setPipeSize(w, 1024 * 1024);
    const K = 64 * 1024;
    const run = Buffer.alloc(3 * K - 100);
    for (let i = 0; i < run.length; i++) run[i] = (i * 7 + (i >> 16)) & 255;
    const blockAt = (i: number): Buffer => run.subarray(i * K, Math.min(run.length, (i + 1) * K));
    const checks = (kinds: number[], wrong = -1): Buffer => {
      const c = Buffer.alloc(9 * kinds.length);
      kinds.forEach((k, i) => {
        c[9 * i] = k;
        if (k !== 0) c.write(sys().blockSumSync(blockAt(i), k as 1 | 2), 9 * i + 1, 8, 'hex');
        if (i === wrong) c[9 * i + 8]! ^= 1;
      });
      return c;
    };
    // All three match (BLAKE3, none, sha256): all go in, the last one short.
    expect(await sys().checkedVmsplice(w, run, K, checks([2, 0, 1]))).toEqual({ spliced: run.length, unread: run.length, bad: -1 });
    const got = Buffer.alloc(run.length);
    expect(fs.readSync(r, got, 0, got.length, null)).toBe(run.length);
    expect(got.equals(run)).toBe(true);
    // The second block's checksum is wrong: the first goes in, nothing of the second; it says what the second hashes to.
    expect(await sys().checkedVmsplice(w, run, K, checks([2, 2, 2], 1))).toEqual({ spliced: K, unread: K, bad: 1, actual: sys().blockSumSync(blockAt(1), 2) });
    expect(fs.readSync(r, got, 0, got.length, null)).toBe(K);
    expect(got.subarray(0, K).equals(blockAt(0))).toBe(true);
    // What it refuses: an unknown hash, fewer checks than blocks, a reader gone (EPIPE), a file.
    expect(() => sys().checkedVmsplice(w, run, K, Buffer.from([9, 0, 0, 0, 0, 0, 0, 0, 0, ...checks([0, 0]).subarray(9)]))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => sys().checkedVmsplice(w, run, K, checks([0, 0]))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    fs.closeSync(r);
    await expect(sys().checkedVmsplice(w, run, K, checks([0, 0, 0]))).rejects.toMatchObject({ code: 'EPIPE' });
    fs.closeSync(w);
    const file = fs.openSync(path.join(dir, 'not-a-pipe'), 'w');
    await expect(sys().checkedVmsplice(file, run, K, checks([0, 0, 0]))).rejects.toMatchObject({ code: 'EBADF' });
    fs.closeSync(file);
  });

  it('vmspliceToPipe puts references to the pages in the pipe, not copies: pipeUnread says when they have been read', async () => {
    const [r, w] = sys().pipe();
    // 64 KiB not page-aligned span 17 pages, one pipe buffer each: more than a default pipe's 16.
    sys().setPipeSize(w, 1024 * 1024);
    const slot = Buffer.alloc(64 * 1024, 1);
    expect(await sys().vmspliceToPipe(w, slot)).toBe(64 * 1024);
    expect(sys().pipeUnread(w)).toBe(64 * 1024);
    // Changed after the call, before the read: the reader sees the change (why a sink must hold the slot).
    slot.fill(2, 0, 4096);
    const got = Buffer.alloc(64 * 1024);
    expect(fs.readSync(r, got, 0, 4096, null)).toBe(4096);
    expect(got.subarray(0, 4096).every((b) => b === 2)).toBe(true);
    expect(sys().pipeUnread(w)).toBe(60 * 1024);
    // Waits until the pipe holds at most 1024 bytes: the reader takes 59 KiB after 50 ms.
    let waited = false;
    const waiting = sys().pipeUnreadAtMost(w, 1024).then((n) => ((waited = true), n));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(waited).toBe(false);
    expect(fs.readSync(r, got, 0, 59 * 1024, null)).toBe(59 * 1024);
    expect(await waiting).toBe(1024);
    // Once the reader is gone: -1 (nothing will read the rest), and the next vmsplice fails with EPIPE.
    fs.closeSync(r);
    expect(await sys().pipeUnreadAtMost(w, 0)).toBe(-1);
    await expect(sys().vmspliceToPipe(w, slot)).rejects.toMatchObject({ code: 'EPIPE' });
    fs.closeSync(w);
    const file = fs.openSync(path.join(dir, 'not-a-pipe'), 'w');
    await expect(sys().vmspliceToPipe(file, slot)).rejects.toMatchObject({ code: 'EBADF' });
    fs.closeSync(file);
    expect(() => sys().pipeUnread(file)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('readFull reads a pipe until the buffer is full, through several writes, fewer bytes at the end, then 0', async () => {
    const [r, w] = sys().pipe();
    const buf = Buffer.alloc(10000);
    let settled = false;
    const reading = sys().readFull(r, buf.subarray(1000, 9000)).then((n) => ((settled = true), n));
    fs.writeSync(w, Buffer.alloc(3000, 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false); // 3000 of 8000: a plain read would have returned
    fs.writeSync(w, Buffer.alloc(6000, 2));
    expect(await reading).toBe(8000);
    expect(buf.subarray(1000, 4000).every((b) => b === 1)).toBe(true);
    expect(buf.subarray(4000, 9000).every((b) => b === 2)).toBe(true);
    expect(buf[999]).toBe(0);
    expect(buf[9000]).toBe(0); // nothing past the view
    fs.closeSync(w);
    expect(await sys().readFull(r, buf)).toBe(1000); // the rest, then the end
    expect(await sys().readFull(r, buf)).toBe(0);
    fs.closeSync(r);
    await expect(sys().readFull(r, buf)).rejects.toMatchObject({ code: 'EBADF', syscall: 'read' });
  });

  it('makes FIFOs and reports errno codes', () => {
    const p = Buffer.from(path.join(dir, 'fifo'));
    sys().mkfifo(p, 0o640);
    const st = fs.lstatSync(p);
    expect(st.isFIFO()).toBe(true);
    expect(() => sys().mkfifo(p, 0o640)).toThrow(expect.objectContaining({ code: 'EEXIST', syscall: 'mkfifo' }));
    expect(() => sys().utimensat(Buffer.from(path.join(dir, 'none')), 0, 0, 0, 0, true)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('lists, reads and writes extended attributes', () => {
    const f = Buffer.from(path.join(dir, 'x'));
    fs.writeFileSync(f, '');
    try {
      sys().lsetxattr(f, Buffer.from('user.openbp'), Buffer.from([0, 1, 255]));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOTSUP') return; // file system without user xattrs
      throw e;
    }
    expect(sys().llistxattr(f).map((b) => b.toString())).toContain('user.openbp');
    expect(sys().lgetxattr(f, Buffer.from('user.openbp'))).toEqual(Buffer.from([0, 1, 255]));
    expect(sys().lgetxattr(f, Buffer.from('user.none'))).toBeNull();
  });

  it('maps a file shared: writes through one mapping show in the file and in another mapping; munmap detaches', () => {
    const p = path.join(dir, 'ring.buf');
    fs.writeFileSync(p, Buffer.alloc(65536));
    const fd1 = fs.openSync(p, 'r+');
    const fd2 = fs.openSync(p, 'r+');
    const a = sys().mmapShared(fd1, 65536);
    const b = sys().mmapShared(fd2, 65536);
    fs.closeSync(fd1); // the mapping outlives its descriptor
    fs.closeSync(fd2);
    const va = Buffer.from(a);
    const vb = Buffer.from(b, 4096, 4096);
    va.write('openbp', 4096 + 10, 'latin1');
    expect(vb.toString('latin1', 10, 16)).toBe('openbp');
    expect(fs.readFileSync(p).toString('latin1', 4106, 4112)).toBe('openbp');
    expect(sys().munmap(a)).toBe(true);
    expect(a.byteLength).toBe(0);
    expect(va.length).toBe(0); // a view of an unmapped ring reads as empty, not as freed memory
    expect(sys().munmap(a)).toBe(false);
    expect(vb.toString('latin1', 10, 16)).toBe('openbp');
    expect(sys().munmap(b)).toBe(true);
  });

  it('refuses to map what is not a mappable file', () => {
    const p = path.join(dir, 'short.buf');
    fs.writeFileSync(p, '');
    const fd = fs.openSync(p, 'r');
    try {
      expect(() => sys().mmapShared(fd, 4096)).toThrow(expect.objectContaining({ code: 'EACCES', syscall: 'mmap' })); // read-only fd, shared write map
      expect(() => sys().mmapShared(fd, 0)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    } finally {
      fs.closeSync(fd);
    }
    expect(() => sys().mmapShared(-1, 4096)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(() => sys().munmap(new ArrayBuffer(8))).not.toThrow();
    expect(sys().munmap(new ArrayBuffer(8))).toBe(false);
  });

  it('splices a file range into a pipe: the bytes asked for, fewer at the end of the file, EINVAL into a non-pipe', () => {
    const f = path.join(dir, 'body');
    const body = Buffer.alloc(100_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    fs.writeFileSync(f, body);
    const fd = fs.openSync(f, 'r');
    const [r, w] = sys().pipe();
    try {
      sys().setPipeSize(w, 256 * 1024);
      expect(sys().spliceToPipe(fd, w, 1000, 50_000)).toBe(50_000);
      expect(sys().spliceToPipe(fd, w, 90_000, 50_000)).toBe(10_000); // the file ends
      expect(sys().spliceToPipe(fd, w, 100_000, 10)).toBe(0);
      const got = Buffer.alloc(70_000);
      let n = 0;
      while (n < 60_000) n += fs.readSync(r, got, n, got.length - n, null);
      expect(n).toBe(60_000);
      expect(got.subarray(0, 50_000).equals(body.subarray(1000, 51_000))).toBe(true);
      expect(got.subarray(50_000, 60_000).equals(body.subarray(90_000))).toBe(true);
      const out = fs.openSync(path.join(dir, 'not-a-pipe'), 'w');
      expect(() => sys().spliceToPipe(fd, out, 0, 10)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'splice' }));
      fs.closeSync(out);
    } finally {
      for (const x of [fd, r, w]) fs.closeSync(x);
    }
  });

  it('tells whether bytes are aligned for O_DIRECT (address and length)', () => {
    const f = path.join(dir, 'map');
    const fd = fs.openSync(f, 'w+');
    fs.ftruncateSync(fd, 3 * 4096);
    const map = sys().mmapShared(fd, 3 * 4096);
    fs.closeSync(fd);
    const mem = Buffer.from(map);
    expect(sys().alignedTo(mem, 4096)).toBe(true);
    expect(sys().alignedTo(mem.subarray(4096, 8192), 4096)).toBe(true);
    expect(sys().alignedTo(mem.subarray(512, 4608), 4096)).toBe(false); // address
    expect(sys().alignedTo(mem.subarray(0, 4000), 4096)).toBe(false); // length
    expect(sys().alignedTo(mem.subarray(512, 1024), 512)).toBe(true);
    sys().munmap(map);
  });

  it('makes pipes and sets their capacity', () => {
    const [r, w] = sys().pipe();
    try {
      expect(fs.fstatSync(r).isFIFO()).toBe(true);
      const got = sys().setPipeSize(w, 256 * 1024);
      expect(got).toBeGreaterThanOrEqual(256 * 1024);
      expect(sys().pipeSize(r)).toBe(got); // one pipe: both ends see the capacity
      fs.writeSync(w, Buffer.from('through'));
      const b = Buffer.alloc(16);
      expect(b.toString('latin1', 0, fs.readSync(r, b, 0, 16, null))).toBe('through');
      const f = path.join(dir, 'plain');
      fs.writeFileSync(f, '');
      const fd = fs.openSync(f, 'r');
      expect(() => sys().setPipeSize(fd, 65536)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'fcntl(F_SETPIPE_SZ)' }));
      fs.closeSync(fd);
    } finally {
      fs.closeSync(r);
      fs.closeSync(w);
    }
  });

  it('passes descriptors with a message over a socket pair; a closed end reads as null; adoptFd installs one at a number', () => {
    const [a, b] = sys().socketPair();
    const [r, w] = sys().pipe();
    const f = path.join(dir, 'log');
    const logFd = fs.openSync(f, 'a');
    let got: { bytes: Buffer; fds: number[] } | null = null;
    try {
      sys().sendFds(a, Buffer.from('{"x":1}'), [w, logFd]);
      got = sys().recvFds(b, 1024);
      expect(got!.bytes.toString()).toBe('{"x":1}');
      expect(got!.fds).toHaveLength(2);
      // The received ones are the same open files: a write through the copy comes out of the pipe, into the file.
      fs.writeSync(got!.fds[0]!, 'via copy');
      const buf = Buffer.alloc(16);
      expect(buf.toString('latin1', 0, fs.readSync(r, buf, 0, 16, null))).toBe('via copy');
      fs.writeSync(got!.fds[1]!, 'appended');
      expect(fs.readFileSync(f, 'utf8')).toBe('appended');
      // A message without descriptors; then the sending end closes: null.
      sys().sendFds(a, Buffer.from('bare'), []);
      expect(sys().recvFds(b, 1024)).toEqual({ bytes: Buffer.from('bare'), fds: [] });
      // Too long for the reader's buffer: EMSGSIZE, and the descriptors it carried are not left open.
      sys().sendFds(a, Buffer.alloc(100), []);
      expect(() => sys().recvFds(b, 10)).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
      // adoptFd: the copy becomes descriptor `target` (dup2) and its own number is closed.
      const spare = fs.openSync('/dev/null', 'r');
      sys().adoptFd(got!.fds[0]!, spare);
      expect(() => fs.fstatSync(got!.fds[0]!)).toThrow(expect.objectContaining({ code: 'EBADF' }));
      expect(fs.fstatSync(spare).isFIFO()).toBe(true);
      fs.writeSync(spare, 'adopted');
      expect(buf.toString('latin1', 0, fs.readSync(r, buf, 0, 16, null))).toBe('adopted');
      fs.closeSync(spare);
      fs.closeSync(got!.fds[1]!);
      fs.closeSync(a);
      expect(sys().recvFds(b, 1024)).toBeNull();
      expect(() => sys().sendFds(b, Buffer.from('x'), [])).toThrow(expect.objectContaining({ code: 'EPIPE' }));
    } finally {
      for (const fd of [b, r, w, logFd]) fs.closeSync(fd);
    }
  });

  it('opens a file for backup with its fstat and xattr list size, then reads, fstats and closes it in one call', () => {
    const f = Buffer.from(path.join(dir, 'data\xff'), 'latin1');
    fs.writeFileSync(f, 'hello, world');
    sys().utimensat(f, 1_000_000_000, 5, 1_700_000_000, 123_456_789, false);
    const st = new Float64Array(STAT_LENGTH);
    const fd = sys().openForBackup(f, st);
    const node = fs.fstatSync(fd, { bigint: true });
    expect(st[STAT.size]).toBe(12);
    expect(st[STAT.ino]).toBe(Number(node.ino));
    expect(st[STAT.dev]).toBe(Number(node.dev));
    expect(st[STAT.mode]).toBe(Number(node.mode));
    expect(st[STAT.uid]).toBe(Number(node.uid));
    expect(st[STAT.mtimeSec]).toBe(1_700_000_000);
    expect(st[STAT.mtimeNsec]).toBe(123_456_789);
    expect(st[STAT.atimeNsec]).toBe(5);
    expect(st[STAT.xattrs]).toBe(0);
    const buf = Buffer.alloc(20, 0xee);
    const after = new Float64Array(STAT_LENGTH);
    expect(sys().readAndClose(fd, buf, 3, 16, after)).toBe(12); // fewer at end of file
    expect(buf.subarray(3, 15).toString()).toBe('hello, world');
    expect(buf[2]).toBe(0xee);
    expect(after[STAT.size]).toBe(12);
    expect(() => fs.fstatSync(fd)).toThrow(expect.objectContaining({ code: 'EBADF' })); // closed
  });

  it('reports xattrs at open, refuses symlinks and missing files with their errno, and closes on a bad range', () => {
    const st = new Float64Array(STAT_LENGTH);
    expect(() => sys().openForBackup(Buffer.from(path.join(dir, 'none')), st)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'open' }));
    const f = Buffer.from(path.join(dir, 'f'));
    fs.writeFileSync(f, 'x');
    const l = Buffer.from(path.join(dir, 'l'));
    fs.symlinkSync(f, l);
    expect(() => sys().openForBackup(l, st)).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    const fd = sys().openForBackup(f, st);
    expect(() => sys().readAndClose(fd, Buffer.alloc(4), 2, 8, new Float64Array(STAT_LENGTH))).toThrow(/range outside the buffer/);
    expect(() => fs.fstatSync(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    try {
      sys().lsetxattr(f, Buffer.from('user.openbp'), Buffer.from('v'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOTSUP') return; // file system without user xattrs
      throw e;
    }
    const fd2 = sys().openForBackup(f, st);
    fs.closeSync(fd2);
    expect(st[STAT.xattrs]).toBe('user.openbp'.length + 1);
  });

  it('scans a directory: names in byte order, regular by type, lstats relative to it, none above maxStats', () => {
    const bytes = (n: string) => Buffer.from(path.join(dir, n), 'latin1');
    fs.writeFileSync(bytes('b\xff'), 'x');
    fs.writeFileSync(bytes('Z'), 'zz');
    fs.linkSync(bytes('Z'), bytes('a'));
    fs.mkdirSync(bytes('d'));
    fs.symlinkSync('Z', bytes('l'));
    const scan = sys().scanDir(Buffer.from(dir), 100);
    expect(scan.names).toEqual(['Z', 'a', 'b\xff', 'd', 'l']);
    expect([...scan.regular]).toEqual([1, 1, 1, 0, 0]);
    expect(scan.errors).toBeNull();
    scan.names.forEach((n, i) => {
      const st = fs.lstatSync(bytes(n), { bigint: true });
      const got = scan.stats!.subarray(i * STAT_LENGTH, (i + 1) * STAT_LENGTH);
      expect({ n, ino: got[STAT.ino], nlink: got[STAT.nlink], mode: got[STAT.mode], size: got[STAT.size], mtime: BigInt(got[STAT.mtimeSec]!) * 1_000_000_000n + BigInt(got[STAT.mtimeNsec]!) })
        .toEqual({ n, ino: Number(st.ino), nlink: Number(st.nlink), mode: Number(st.mode), size: Number(st.size), mtime: st.mtimeNs });
    });
    const few = sys().scanDir(Buffer.from(dir), 4);
    expect({ names: few.names.length, stats: few.stats, regular: [...few.regular] }).toEqual({ names: 5, stats: null, regular: [1, 1, 1, 0, 0] });
    expect(() => sys().scanDir(bytes('l'), 10)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => sys().scanDir(bytes('missing'), 10)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'scandir' }));
    expect(sys().scanDir(bytes('d'), 10)).toEqual({ names: [], regular: new Uint8Array(0), stats: new Float64Array(0), errors: null, base: null, baseTimes: null });
  });

  it('lists directories on its listing thread as scanDir does: the same result or error, each id taken once', () => {
    const bytes = (n: string) => Buffer.from(path.join(dir, n), 'latin1');
    fs.mkdirSync(bytes('ahead'));
    for (const n of ['y', 'x\xfe', 'w']) fs.writeFileSync(bytes(path.join('ahead', n)), n);
    fs.mkdirSync(bytes(path.join('ahead', 'sub')));
    const ids = [sys().askListing(bytes('ahead'), 100, 0), sys().askListing(bytes('ahead'), 1, 2), sys().askListing(bytes('nothing'), 100, 1), sys().askListing(bytes('ahead/y'), 100, 0)];
    expect(new Set(ids).size).toBe(4);
    expect(sys().takeListing(ids[0]!)).toEqual(sys().scanDir(bytes('ahead'), 100));
    expect(sys().takeListing(ids[1]!)).toEqual(sys().scanDir(bytes('ahead'), 1)); // above maxStats: no stats
    expect(() => sys().takeListing(ids[3]!)).toThrow(expect.objectContaining({ code: 'ENOTDIR', syscall: 'scandir' }));
    expect(() => sys().takeListing(ids[2]!)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'scandir' }));
    expect(() => sys().takeListing(ids[0]!)).toThrow(/no listing was asked for with this id/);
    // Many asked at once: while the listing thread makes the one taken, the JS thread makes queued ones; each the same.
    const many = Array.from({ length: 40 }, (_, i) => bytes(`many${i}`));
    for (const d of many) {
      fs.mkdirSync(d);
      for (let k = 0; k < 300; k++) fs.writeFileSync(Buffer.concat([d, Buffer.from(`/f${k}`)]), '');
    }
    const manyIds = many.map((d, i) => sys().askListing(d, 1000, i % 3));
    many.forEach((d, i) => expect(sys().takeListing(manyIds[i]!)).toEqual(sys().scanDir(d, 1000)));
  });

  it('hashes blocks on the thread pool: the catalogue 8-byte sha256 prefix, several at once, a view in place', async () => {
    const crypto = await import('node:crypto');
    const whole = crypto.randomBytes(1 << 20);
    const views = [whole.subarray(0, 262144), whole.subarray(262144, 524288 + 17), whole.subarray(0, 0), whole];
    const got = await Promise.all(views.map((v) => sys().blockSum(v, 1)));
    expect(got).toEqual(views.map((v) => crypto.createHash('sha256').update(v).digest().toString('hex', 0, 8)));
    expect(views.map((v) => sys().blockSumSync(v, 1))).toEqual(got);
    expect(() => sys().blockSum('text' as unknown as Uint8Array, 1)).toThrow(/the bytes to hash must be a Buffer/);
    expect(() => sys().blockSumSync(whole, 3 as 1)).toThrow(/kind must be 1 \(sha256\) or 2 \(blake3\)/);
  });

  it('BLAKE3: the first 8 bytes of the official test vectors (input byte i = i mod 251), on the pool and in place', async () => {
    // Expected values from b3sum (Debian's Rust implementation), independent of the C code built into the addon;
    // the lengths cross the 1 KiB chunk and the SIMD batch sizes.
    const vectors: Array<[number, string]> = [
      [0, 'af1349b9f5f9a1a6'], [1, '2d3adedff11b61f1'], [1023, '10108970eeda3eb9'], [1024, '42214739f095a406'],
      [1025, 'd00278ae47eb27b3'], [65536, '68d647e619a930e7'], [262161, 'e6c756a99742bbba'], [1048576, '74cb441fd087764c'],
    ];
    const input = Buffer.alloc(1048576 + 7);
    for (let i = 0; i < input.length; i++) input[i] = i % 251;
    const pooled = await Promise.all(vectors.map(([n]) => sys().blockSum(input.subarray(0, n), 2)));
    expect(pooled).toEqual(vectors.map(([, sum]) => sum));
    expect(vectors.map(([n]) => sys().blockSumSync(input.subarray(0, n), 2))).toEqual(pooled);
    // A view that does not start at its buffer's start hashes its own bytes.
    const shifted = Buffer.alloc(1024 + 3);
    input.copy(shifted, 3, 0, 1024);
    expect(sys().blockSumSync(shifted.subarray(3), 2)).toBe('42214739f095a406');
  });
});
