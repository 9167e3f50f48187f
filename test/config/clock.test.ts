import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nowSeconds, TEST_CLOCK_ENV } from '../../src/config/clock.js';

describe('the test clock (OPENBP_TEST_CLOCK_FILE)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-clock-'));
    process.env[TEST_CLOCK_ENV] = path.join(dir, 'clock');
  });
  afterEach(() => {
    delete process.env[TEST_CLOCK_ENV];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adds the offset in the file, and keeps the last one while the file is caught empty or missing', () => {
    const file = process.env[TEST_CLOCK_ENV]!;
    const real = () => Math.floor(Date.now() / 1000);
    fs.writeFileSync(file, `${86400 * 3}\n`);
    expect(nowSeconds() - real()).toBeGreaterThanOrEqual(86400 * 3 - 1);
    fs.writeFileSync(file, ''); // the moment a rewrite in place has truncated it
    expect(nowSeconds() - real()).toBeGreaterThanOrEqual(86400 * 3 - 1);
    fs.rmSync(file);
    expect(nowSeconds() - real()).toBeGreaterThanOrEqual(86400 * 3 - 1);
    fs.writeFileSync(file, '-60\n');
    expect(nowSeconds() - real()).toBeLessThanOrEqual(-59);
  });
});
