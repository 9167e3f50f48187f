// NetBackup's buffer tunables: which file wins, the defaults of each kind of job, rounding and bounds.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureHomeLayout, homeAt, type Home } from '../../src/config/home.js';
import { DISK_BACKUP_BUFFERS, readBufferTunables } from '../../src/config/tunables.js';

describe('buffer tunables', () => {
  let dir: string;
  let home: Home;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-tun-'));
    home = homeAt(path.join(dir, 'h'));
    ensureHomeLayout(home);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const set = (name: string, value: string) => fs.writeFileSync(path.join(home.config, name), `${value}\n`);

  it('defaults: 128 x 256 KiB for a backup to disk, 64 x 256 KiB for a restore, 30 x 64 KiB for tape', () => {
    expect(DISK_BACKUP_BUFFERS).toBe(128);
    expect(readBufferTunables(home, 'disk')).toEqual({ numberOfBuffers: 128, bufferSize: 256 * 1024 });
    expect(readBufferTunables(home, 'restore')).toEqual({ numberOfBuffers: 64, bufferSize: 256 * 1024 });
    expect(readBufferTunables(home, 'tape')).toEqual({ numberOfBuffers: 30, bufferSize: 64 * 1024 });
  });

  it('NUMBER_DATA_BUFFERS sets every kind; the _DISK and _RESTORE files win over it', () => {
    set('NUMBER_DATA_BUFFERS', '16');
    expect(readBufferTunables(home, 'disk').numberOfBuffers).toBe(16);
    expect(readBufferTunables(home, 'restore').numberOfBuffers).toBe(16);
    expect(readBufferTunables(home, 'tape').numberOfBuffers).toBe(16);
    set('NUMBER_DATA_BUFFERS_DISK', '64');
    set('NUMBER_DATA_BUFFERS_RESTORE', '8');
    expect(readBufferTunables(home, 'disk').numberOfBuffers).toBe(64);
    expect(readBufferTunables(home, 'restore').numberOfBuffers).toBe(8);
    expect(readBufferTunables(home, 'tape').numberOfBuffers).toBe(16);
  });

  it('rounds sizes down to 1024 and keeps numbers within 2-1024; junk is ignored', () => {
    set('SIZE_DATA_BUFFERS_DISK', '1049000');
    set('NUMBER_DATA_BUFFERS_DISK', '5000');
    expect(readBufferTunables(home, 'disk')).toEqual({ numberOfBuffers: 1024, bufferSize: 1048576 });
    set('NUMBER_DATA_BUFFERS_DISK', '1');
    expect(readBufferTunables(home, 'disk').numberOfBuffers).toBe(2);
    set('NUMBER_DATA_BUFFERS_DISK', 'many');
    expect(readBufferTunables(home, 'disk').numberOfBuffers).toBe(128);
  });
});
