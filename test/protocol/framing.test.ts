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
  it('carries Buffer fields (of the value and of its body) as raw bytes after the JSON, split at any byte', () => {
    const block = Buffer.from([0, 10, 255, 0x7b, 10, 1]);
    const msg = { v: 1, id: 7, type: 'bpdbm.add-file-block', body: { backupid: 'c_1', count: 3, block }, tag: Buffer.from('\n') };
    const a = encodeFrame(msg);
    expect(a.readUInt32BE(0) & 0x80000000).not.toBe(0); // flagged; plain frames are not
    expect(encodeFrame({ a: 1 }).readUInt32BE(0) & 0x80000000).toBe(0);
    expect(a.includes(Buffer.from(block.toString('base64')))).toBe(false); // not base64 in the JSON
    const all = Buffer.concat([a, encodeFrame([1])]);
    for (let cut = 0; cut <= all.length; cut++) {
      const d = new FrameDecoder();
      const out = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      expect(out).toEqual([msg, [1]]);
      expect(Buffer.isBuffer((out[0] as typeof msg).body.block)).toBe(true);
    }
  });
  it('refuses a frame with bytes whose JSON length or placeholders point outside it', () => {
    const good = encodeFrame({ body: { b: Buffer.alloc(4, 1) } });
    const badLength = Buffer.from(good);
    badLength.writeUInt32BE(good.length, 4);
    expect(() => new FrameDecoder().push(badLength)).toThrow(FrameError);
    const text = '{"body":{"b":{"$bytes":[2,9]}}}';
    const past = Buffer.alloc(8 + text.length + 4);
    past.writeUInt32BE((0x80000000 | (past.length - 4)) >>> 0, 0);
    past.writeUInt32BE(text.length, 4);
    past.write(text, 8);
    expect(() => new FrameDecoder().push(past)).toThrow(/outside the 4/);
  });
  it('rejects oversized and non-JSON frames', () => {
    const big = Buffer.alloc(4);
    big.writeUInt32BE(MAX_FRAME_BYTES + 1);
    expect(() => new FrameDecoder().push(big)).toThrow(FrameError);
    const bad = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{x}')]);
    expect(() => new FrameDecoder().push(bad)).toThrow(FrameError);
  });
});
