import { normalizeArgv, parseDeclaredOptions } from '../../src/cli/argv.js';
import { parseInvocation } from '../../src/cli/main.js';
import { command as bpbackup } from '../../src/cmd/bpbackup.js';
import { command as bprestore } from '../../src/cmd/bprestore.js';
import { command as bpplsched } from '../../src/cmd/bpplsched.js';
import { parseRenameFile } from '../../src/cli/rename-file.js';
import { OpenbpError } from '../../src/protocol/errors.js';

describe('NetBackup-style argv', () => {
  it('-w takes a value only when it is hh:mm:ss', () => {
    expect(parseInvocation(bpbackup, ['-w', '/etc']).opts.wait).toBe(true);
    expect(parseInvocation(bpbackup, ['-w', '/etc']).args).toEqual(['/etc']);
    const timed = parseInvocation(bpbackup, ['-w', '01:02:03', '/etc']);
    expect([timed.opts.wait, timed.args]).toEqual(['01:02:03', ['/etc']]);
  });

  it('dates absorb a following time word', () => {
    const inv = parseInvocation(bprestore, ['-s', '11/21/2026', '10:00:00', '-e', '11/22/2026', '/x']);
    expect([inv.opts.start, inv.opts.end, inv.args]).toEqual(['11/21/2026 10:00:00', '11/22/2026', ['/x']]);
  });

  it('multi-word values (-weekday day week ...) take the following words that fit, and no others', () => {
    const inv = parseInvocation(bpplsched, ['pol', '-modify', 's', '-weekday', 'Monday', '1', '7', '5', '-window', '0', '3600', '-dayomonth', '0', '15']);
    expect([inv.opts.weekday, inv.opts.dayomonth, inv.opts.window, inv.args]).toEqual([['Monday 1 7 5'], ['0 15'], ['0'], ['pol', '3600']]);
  });

  it('unknown options are status 20 naming the flag', () => {
    expect(() => parseInvocation(bpbackup, ['-bogus', '/x'])).toThrow(OpenbpError);
    try {
      parseInvocation(bpbackup, ['-bogus', '/x']);
    } catch (e) {
      expect((e as OpenbpError).status).toBe(20);
      expect((e as OpenbpError).message).toContain('-bogus');
    }
  });

  it('keeps paths that start with a dash after --', () => {
    expect(normalizeArgv(['-w', '--', '-odd'], bpbackup.options)).toEqual(['--opt-wait=', '--', '-odd']);
  });

  it('-help prints help with NetBackup flags', () => {
    const h = parseInvocation(bpbackup, ['-help']).help!;
    expect(h).toContain('-w [hh:mm:ss]');
    expect(h).toContain('-f listfile');
  });
});

describe('rename files', () => {
  it('parses change lines with spaces and raw bytes, refuses garbage and ..', () => {
    const data = Buffer.concat([Buffer.from('change /a b/c to /x y/z\n# note\nchange /\xff\xfe/n to /r\n', 'latin1')]);
    expect(parseRenameFile(data)).toEqual([['/a b/c', '/x y/z'], ['/\xff\xfe/n', '/r']]);
    expect(() => parseRenameFile(Buffer.from('move /a to /b\n'))).toThrow(/line 1/);
    expect(() => parseRenameFile(Buffer.from('change /a to /b/../etc\n'))).toThrow(/\.\./);
  });
});

describe('argv read without commander', () => {
  const plain = (spec: typeof bpbackup, argv: string[]) => parseDeclaredOptions(spec, normalizeArgv(argv, spec.options));

  it('reads declared options and operands the way commander does', () => {
    const argv = ['-w', '01:02:03', '-p', 'pol', '-s', 'sched', '/etc', '/var'];
    expect(plain(bpbackup, argv)).toBeDefined();
    const inv = parseInvocation(bpbackup, argv);
    expect(inv.opts).toMatchObject({ wait: '01:02:03' });
    expect(inv.args).toEqual(['/etc', '/var']);
  });

  it('leaves unknown or repeated options, missing values and extra operands to commander', () => {
    expect(plain(bpbackup, ['-nosuch', '/etc'])).toBeUndefined();
    expect(plain(bpbackup, ['-p', 'a', '-p', 'b'])).toBeUndefined();
    expect(plain(bpbackup, ['-p'])).toBeUndefined();
    expect(plain(bpplsched, [])).toBeUndefined(); // <policy> is required
    expect(() => parseInvocation(bpbackup, ['-nosuch'])).toThrow(OpenbpError);
    expect(() => parseInvocation(bpbackup, ['-p'])).toThrow(OpenbpError);
  });
});
