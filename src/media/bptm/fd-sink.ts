// The restore consumer on a descriptor (nbtar's pipe on stdout) as a ByteSink that a stop can interrupt.

import fs from 'node:fs';
import net from 'node:net';
import { OpenbpError } from '../../protocol/errors.js';
import type { ByteSink } from './ring-loops.js';
import type { Stop } from './stop.js';
import { widenPipe } from '../../ipc/data-pipe.js';

function sinkError(e: unknown): OpenbpError {
  return new OpenbpError('SOCKET_WRITE_FAILED', `writing the restore stream: ${(e as Error).message}`, { cause: e });
}

class SocketSink implements ByteSink {
  private error: OpenbpError | undefined;
  private pending: ((e?: OpenbpError) => void) | undefined;

  constructor(
    private readonly sock: net.Socket,
    stop: Stop,
  ) {
    sock.on('error', (e) => this.fail(sinkError(e)));
    sock.on('close', () => this.fail(new OpenbpError('SOCKET_WRITE_FAILED', 'the restore stream was closed by its reader')));
    stop.onStop((e) => {
      this.fail(e);
      sock.destroy();
    });
  }

  write(block: Buffer): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    return new Promise<void>((resolve, reject) => {
      this.pending = (e) => (e ? reject(e) : resolve());
      this.sock.write(block, (e) => {
        const p = this.pending;
        this.pending = undefined;
        if (e) this.error ??= sinkError(e);
        p?.(e ? this.error : undefined);
      });
    });
  }

  private fail(e: OpenbpError): void {
    this.error ??= e;
    const p = this.pending;
    this.pending = undefined;
    p?.(this.error);
  }
}

class FileSink implements ByteSink {
  constructor(private readonly fd: number) {}

  async write(block: Buffer): Promise<void> {
    try {
      for (let off = 0; off < block.length; ) off += fs.writeSync(this.fd, block, off, block.length - off);
    } catch (e) {
      throw sinkError(e);
    }
  }
}

/** A ByteSink writing to descriptor fd. */
export function openFdSink(fd: number, stop: Stop): ByteSink {
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch (e) {
    throw sinkError(e);
  }
  if (st.isFIFO()) widenPipe(fd);
  // A pipe sink writing runs on the thread pool (checking the next run meanwhile) was tried and taken back: in two
  // of five full CI runs a stopped restore child then ended without its ERROR reaching the parent (85 instead of
  // the child's status). Likely cause, found later: the child exited right after its ERROR, the parent's next write
  // on the control pipe failed with EPIPE and Node dropped what the parent had not read; the child now waits for
  // the parent's answer (RingChannel.peerStopped) before it exits.
  if (st.isFIFO() || st.isSocket()) return new SocketSink(new net.Socket({ fd, readable: false, writable: true }), stop);
  return new FileSink(fd);
}
