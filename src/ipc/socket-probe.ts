// Whether a UNIX socket file has a live listener: the kernel answers a connect without the listening
// process having to run, so the answer does not depend on how busy that process is.

import net from 'node:net';

/** True when something listens on socketPath; false when the file is missing or stale (nobody listening). */
export function socketListening(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.createConnection(socketPath);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      sock.destroy();
      // EAGAIN: the listener's backlog is full — it is alive, just busy.
      resolve(e.code === 'EAGAIN');
    });
  });
}
