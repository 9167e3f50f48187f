// Calls declared messages on a daemon's UNIX socket; one connection may carry many requests.

import net from 'node:net';
import { FrameDecoder, encodeFrame } from './framing.js';
import { PROTOCOL_VERSION, type MessageSpec, type ReplyFrame } from '../protocol/message.js';
import { OpenbpError } from '../protocol/errors.js';
import type { StatusCode } from '../protocol/status.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  spec: MessageSpec<unknown, unknown>;
  timer?: NodeJS.Timeout;
}

export interface CallOptions {
  /** Milliseconds before the request fails with status 41; none by default. */
  timeoutMs?: number;
}

export class RpcConnection {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private decoder = new FrameDecoder();
  private brokenWith: OpenbpError | undefined;

  private constructor(private readonly sock: net.Socket, readonly label: string) {
    sock.on('data', (chunk: Buffer) => {
      let frames: unknown[];
      try {
        frames = this.decoder.push(chunk);
      } catch (e) {
        this.fail(new OpenbpError('NETWORK_READ_FAILED', `${label}: ${(e as Error).message}`));
        sock.destroy();
        return;
      }
      for (const f of frames) this.settle(f as ReplyFrame);
    });
    sock.on('error', () => {});
    sock.on('close', () => this.fail(new OpenbpError('NETWORK_BROKEN', `connection to ${label} closed`)));
  }

  static connect(socketPath: string, label: string): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(socketPath);
      sock.once('connect', () => {
        sock.removeAllListeners('error');
        resolve(new RpcConnection(sock, label));
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        const code: StatusCode = 'CANNOT_CONNECT';
        reject(new OpenbpError(code, `cannot connect to ${label} (${e.code ?? e.message})`, { cause: e }));
      });
    });
  }

  request<Req, Res>(spec: MessageSpec<Req, Res>, body: Req, opts: CallOptions = {}): Promise<Res> {
    if (this.brokenWith) return Promise.reject(this.brokenWith);
    const id = this.nextId++;
    return new Promise<Res>((resolve, reject) => {
      const p: Pending = { resolve: resolve as (v: unknown) => void, reject, spec: spec as MessageSpec<unknown, unknown> };
      if (opts.timeoutMs !== undefined) {
        p.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new OpenbpError('NETWORK_TIMEOUT', `${spec.type} to ${this.label} timed out after ${opts.timeoutMs} ms`));
        }, opts.timeoutMs);
      }
      this.pending.set(id, p);
      this.sock.write(encodeFrame({ v: PROTOCOL_VERSION, id, type: spec.type, body }));
    });
  }

  close(): void {
    this.sock.end();
    this.sock.destroy();
  }

  /** Lets the process exit even while this connection is open. */
  unref(): void {
    this.sock.unref();
  }

  private settle(frame: ReplyFrame): void {
    const p = this.pending.get(frame.id);
    if (!p) {
      if (frame.id === -1 && frame.error) this.fail(new OpenbpError('INVALID_REQUEST', frame.error.message));
      return;
    }
    this.pending.delete(frame.id);
    if (p.timer) clearTimeout(p.timer);
    if (frame.ok) {
      try {
        p.resolve(p.spec.reply.parse(frame.body));
      } catch (e) {
        p.reject(new OpenbpError('HANDSHAKE_FAILED', `bad reply to ${p.spec.type}: ${(e as Error).message}`));
      }
    } else {
      const err = frame.error ?? { code: 'SYSTEM_ERROR', status: 130, message: 'unknown error' };
      p.reject(OpenbpError.fromRecord({ code: err.code as StatusCode, status: err.status, message: err.message, ...(err.hint ? { hint: err.hint } : {}) }));
    }
  }

  private fail(e: OpenbpError): void {
    if (!this.brokenWith) this.brokenWith = e;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      if (p.timer) clearTimeout(p.timer);
      p.reject(e);
    }
  }
}

/** One request on a fresh connection. */
export async function callOnce<Req, Res>(socketPath: string, label: string, spec: MessageSpec<Req, Res>, body: Req, opts: CallOptions = {}): Promise<Res> {
  const conn = await RpcConnection.connect(socketPath, label);
  try {
    return await conn.request(spec, body, opts);
  } finally {
    conn.close();
  }
}
