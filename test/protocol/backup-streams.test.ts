// How a selection list splits into streams (administrator-defined and auto-discovery modes).

import { selectionPaths, splitStreams, streamOf, sameStream } from '../../src/protocol/backup-streams.js';

describe('splitStreams', () => {
  it('starts a stream at each NEW_STREAM when the list begins with one, dropping empty streams', () => {
    expect(splitStreams(['NEW_STREAM', '/a', '/b', 'NEW_STREAM', 'NEW_STREAM', '/c'])).toEqual([['/a', '/b'], ['/c']]);
  });

  it('makes each selection its own stream when the list does not begin with NEW_STREAM', () => {
    expect(splitStreams(['/a', '/b', 'NEW_STREAM', '/c'])).toEqual([['/a'], ['/b'], ['/c']]);
    expect(splitStreams([])).toEqual([]);
  });

  it('leaves NEW_STREAM out of a single-stream selection', () => {
    expect(selectionPaths(['NEW_STREAM', '/a', 'NEW_STREAM', '/b'])).toEqual(['/a', '/b']);
  });

  it('tells images of one stream from the others', () => {
    const img = (streamNumber?: number) => ({ client: 'c', policy: 'p', ...(streamNumber !== undefined ? { streamNumber } : {}) });
    expect(streamOf(img())).toBe(0);
    expect(sameStream(img(2), img(2))).toBe(true);
    expect(sameStream(img(2), img(3))).toBe(false);
    expect(sameStream(img(), img(0))).toBe(true);
  });
});
