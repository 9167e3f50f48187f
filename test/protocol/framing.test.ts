import { FrameDecoder, encodeFrame, FrameError, MAX_FRAME_BYTES } from '../../src/ipc/framing.js';

describe('framing', () => {
  it('round-trips frames split at any byte', () => {
    const a = encodeFrame({ a: 1, s: 'x\u00ff' });
    const b = encodeFrame([1, 2, 3]);
    const all = Buffer.concat([a, b]);
    for (let cut = 0; cut <= all.length; cut++) {
      const d = new FrameDecoder();
      const out = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      expect(out).toEqual([{ a: 1, s: 'x\u00ff' }, [1, 2, 3]]);
    }
  });
  it('rejects oversized and non-JSON frames', () => {
    const big = Buffer.alloc(4);
    big.writeUInt32BE(MAX_FRAME_BYTES + 1);
    expect(() => new FrameDecoder().push(big)).toThrow(FrameError);
    const bad = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{x}')]);
    expect(() => new FrameDecoder().push(bad)).toThrow(FrameError);
  });
});
