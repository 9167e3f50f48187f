import { tempPathBeside } from '../../src/client/nbtar/temp-name.js';

describe('nbtar temporary names', () => {
  it('are short, beside the destination and distinct across refills of the random pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const t = tempPathBeside('/restore/dir/a-very-long-file-name');
      expect(t).toMatch(/^\/restore\/dir\/\.obp[0-9a-f]{8}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(3000);
    expect(tempPathBeside('/top')).toMatch(/^\/\.obp[0-9a-f]{8}$/);
  });
});
