// Fragments and points in time on the real daemons: images split at the storage unit's max fragment
// size restore across fragments; bprestore -s/-e picks the newest image inside the window.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { formatNbDateTime } from '../../src/cli/dates.js';

describe('fragments and points in time', () => {
  let home: OpenbpHome;
  let data: string;
  let out: string;
  const v1 = crypto.randomBytes(3 * 1024 * 1024 + 333);
  const v2 = crypto.randomBytes(1024 * 1024 + 7);
  const images: Array<{ backupid: string; time: number }> = [];

  beforeAll(() => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obppit-'));
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'obppitout-'));
    fs.writeFileSync(path.join(data, 'doc.bin'), v1);
    fs.writeFileSync(path.join(data, 'gone.txt'), 'deleted before the second backup\n');
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  });

  async function newestImage(): Promise<{ backupid: string; time: number; frags: number }> {
    const l = await home.ok('bpimagelist', ['-l']);
    const image = l.stdout.split('\n').find((x) => x.startsWith('IMAGE '))!.split(' ');
    const frags = l.stdout.split('\n\n')[0]!.split('\n').filter((x) => x.startsWith('FRAG ')).length;
    return { backupid: image[5]!, time: Number(image[13]), frags };
  }

  it('splits an image at the max fragment size (bpsturep -mfs 1)', async () => {
    await home.ok('bpsturep', ['-label', 'openbp-default-disk', '-mfs', '1']);
    const stu = await home.ok('bpstulist', ['-U', '-label', 'openbp-default-disk']);
    expect(stu.stdout).toMatch(/^Max Fragment Size: +1 MB$/m);
    expect((await home.run('bpbackup', ['-w', data])).code).toBe(0);
    const img = await newestImage();
    images.push(img);
    expect(img.frags).toBe(4);
    const files = fs.readdirSync(home.path('stu', 'default')).filter((f) => f.startsWith(img.backupid));
    expect(files.sort()).toEqual([1, 2, 3, 4].map((n) => `${img.backupid}_C1_F${n}.img`));
    for (const f of files) expect(fs.statSync(home.path('stu', 'default', f)).size).toBeLessThanOrEqual(1024 * 1024);
  });

  it('restores the newest version by default and an older one with -e', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // backup times are whole seconds
    fs.writeFileSync(path.join(data, 'doc.bin'), v2);
    fs.rmSync(path.join(data, 'gone.txt'));
    expect((await home.run('bpbackup', ['-w', data])).code).toBe(0);
    const second = await newestImage();
    expect(second.backupid).not.toBe(images[0]!.backupid);

    const rename = home.path('rename');
    fs.writeFileSync(rename, `change ${data} to ${out}\n`);
    expect((await home.run('bprestore', ['-w', '-R', rename, path.join(data, 'doc.bin')])).code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'doc.bin'))).toEqual(v2);

    const asOfFirst = formatNbDateTime(images[0]!.time);
    const r = await home.run('bprestore', ['-w', '-e', ...asOfFirst.split(' '), '-R', rename, data]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'doc.bin'))).toEqual(v1);
    expect(fs.readFileSync(path.join(out, 'gone.txt'), 'utf8')).toBe('deleted before the second backup\n');
  });

  it('restores one file by reading only the part of the image that holds it', async () => {
    const rename = home.path('rename-one');
    fs.writeFileSync(rename, `change ${data} to ${out}\n`);
    const asOfFirst = formatNbDateTime(images[0]!.time);
    const r = await home.run('bprestore', ['-w', '--json', '-e', ...asOfFirst.split(' '), '-R', rename, path.join(data, 'gone.txt')]);
    expect(r.code).toBe(0);
    const jobid = (JSON.parse(r.stdout) as { jobids: number[] }).jobids[0]!;
    const job = await home.ok('bpdbjobs', ['-report', '-all_columns', '-jobid', String(jobid)]);
    const read = Number(/end reading; read (\d+) bytes/.exec(job.stdout)?.[1]);
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThanOrEqual(64 * 1024); // the image is 4 fragments of 1 MiB; one small entry is read
    expect(fs.readFileSync(path.join(out, 'gone.txt'), 'utf8')).toBe('deleted before the second backup\n');
  });

  it('reads the buffer tunables at job start: the fragments record the new buffer size', async () => {
    fs.writeFileSync(home.path('db', 'config', 'SIZE_DATA_BUFFERS_DISK'), '65536\n');
    fs.writeFileSync(home.path('db', 'config', 'NUMBER_DATA_BUFFERS_DISK'), '8\n');
    expect((await home.run('bpbackup', ['-w', path.join(data, 'doc.bin')])).code).toBe(0);
    const l = await home.ok('bpimagelist', ['-l']);
    const frag = l.stdout.split('\n').find((x) => x.startsWith('FRAG '))!.split(' ');
    expect(frag[10]).toBe('65536'); // FRAG field 10: block_size
  });

  it('finds nothing when the window holds no backup (227)', async () => {
    const r = await home.run('bprestore', ['-w', '-s', '01/01/2001', '-e', '01/02/2001', data]);
    expect(r.code).toBe(227);
  });
});
