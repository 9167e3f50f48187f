// openbp processes start without NODE_EXTRA_CA_CERTS (a CA bundle parsed at every Node start, for TLS openbp never speaks).

import { binaryEnv } from '../../src/ipc/spawn.js';

describe('binaryEnv', () => {
  it('leaves NODE_EXTRA_CA_CERTS out and passes everything else', () => {
    const env = { PATH: '/bin', OPENBP_HOME: '/h', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', NODE_OPTIONS: '--x' };
    expect(binaryEnv(env)).toEqual({ PATH: '/bin', OPENBP_HOME: '/h', NODE_OPTIONS: '--x' });
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/etc/ssl/certs/ca-certificates.crt'); // the caller's object is not changed
  });

  it('returns an environment without it unchanged', () => {
    const env = { PATH: '/bin' };
    expect(binaryEnv(env)).toBe(env);
  });
});
