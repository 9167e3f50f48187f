import fs from 'node:fs';
import path from 'node:path';
import { createShmFile, openShmFile, removeShmFile } from '../../../src/media/bptm/shm-file.js';

describe('the bptm buffer file', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join('/dev/shm', 'openbp-shm-test-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is created with every page reserved (allocated, reading as zeros) and opened by size', () => {
    const size = 30 * 256 * 1024;
    const { path: p, fd } = createShmFile(dir, 7, process.pid, size);
    try {
      const st = fs.fstatSync(fd);
      expect(st.size).toBe(size);
      expect(st.mode & 0o777).toBe(0o600);
      // Reserved, not sparse: tmpfs counts the pages as the file's blocks (512-byte units).
      expect(st.blocks * 512).toBeGreaterThanOrEqual(size);
      const bytes = fs.readFileSync(p);
      expect(bytes.length).toBe(size);
      expect(bytes.every((b) => b === 0)).toBe(true);
      const other = openShmFile(p, size);
      fs.closeSync(other);
      expect(() => openShmFile(p, size + 1)).toThrow(expect.objectContaining({ status: 89 }));
      // Exclusive: a second buffer file of the same job and pid is refused.
      expect(() => createShmFile(dir, 7, process.pid, size)).toThrow(expect.objectContaining({ status: 89 }));
    } finally {
      fs.closeSync(fd);
      removeShmFile(p);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
