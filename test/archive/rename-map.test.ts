import { RenameError, RenameMap } from '../../src/archive/rename-map.js';

describe('RenameMap', () => {
  it('leaves paths without a matching pair alone', () => {
    expect(new RenameMap([]).map('/a/b')).toBe('/a/b');
    expect(new RenameMap([['/x', '/y']]).map('/a/b')).toBe('/a/b');
  });

  it('matches component-wise, not by string prefix', () => {
    const m = new RenameMap([['/home/al', '/restore/al']]);
    expect(m.map('/home/al')).toBe('/restore/al');
    expect(m.map('/home/al/f')).toBe('/restore/al/f');
    expect(m.map('/home/alice/f')).toBe('/home/alice/f');
  });

  it('lets the longest FROM win whatever the order', () => {
    const m = new RenameMap([
      ['/home', '/r/home'],
      ['/home/al/keep', '/k'],
    ]);
    expect(m.map('/home/al/keep/x')).toBe('/k/x');
    expect(m.map('/home/al/other')).toBe('/r/home/al/other');
    expect(m.matchOf('/home/al/keep/x')).toBe('/home/al/keep');
  });

  it('handles / on either side and normalises pairs', () => {
    expect(new RenameMap([['/', '/restore']]).map('/etc/passwd')).toBe('/restore/etc/passwd');
    expect(new RenameMap([['/data/', '/']]).map('/data/x')).toBe('/x');
    expect(new RenameMap([['/a//b/', '/c/./d']]).map('/a/b/f')).toBe('/c/d/f');
  });

  it('keeps bytes that are not UTF-8', () => {
    expect(new RenameMap([['/\xff', '/\xfe']]).map('/\xff/\x80')).toBe('/\xfe/\x80');
  });

  it("refuses relative paths and '..'", () => {
    expect(() => new RenameMap([['a', '/b']])).toThrow(RenameError);
    expect(() => new RenameMap([['/a', '/b/../../etc']])).toThrow(RenameError);
  });
});
