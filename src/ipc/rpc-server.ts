// Serves declared messages on a UNIX stream socket: decode, validate, dispatch, reply.

import net from 'node:net';
import fs from 'node:fs';
import { FrameDecoder, FrameError, encodeFrame } from './framing.js';
import { PROTOCOL_VERSION, type MessageSpec, type ReplyFrame, type RequestFrame } from '../protocol/message.js';
import { SchemaError } from '../protocol/schema.js';
import { OpenbpError, toOpenbpError } from '../protocol/errors.js';
import { sys, type PeerCredentials } from '../native/sys.js';
import { socketListening } from './socket-probe.js';

export interface RequestContext {
  /** Resolves when the requesting connection closes (for long waits that should stop early). */
  readonly closed: Promise<void>;
  readonly isClosed: () => boolean;
  /** Who connected, from the kernel (SO_PEERCRED); only on a server started with identifyPeers. */
  readonly peer?: PeerCredentials;
}

export type Handler<Req, Res> = (body: Req, ctx: RequestContext) => Promise<Res> | Res;

export interface Route {
  readonly spec: MessageSpec<any, any>;
  readonly handler: Handler<any, any>;
}

export function route<Req, Res>(spec: MessageSpec<Req, Res>, handler: Handler<Req, Res>): Route {
  return { spec, handler };
}

export interface RpcServerEvents {
  onError?: (message: string) => void;
  /** The socket file's mode (default 0600: only the owner may connect). */
  mode?: number;
  /** Learn each connection's peer uid/gid/pid (SO_PEERCRED) and hand it to handlers as ctx.peer. */
  identifyPeers?: boolean;
}

/** The peer of a UNIX socket connection, or undefined when the kernel will not say (the connection is then refused). */
function peerOf(sock: net.Socket): PeerCredentials | undefined {
  const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    return sys().peerCredentials(fd);
  } catch {
    return undefined;
  }
}

export interface RpcServer {
  close(): Promise<void>;
}

function isRequestFrame(v: unknown): v is RequestFrame {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return typeof f.id === 'number' && typeof f.type === 'string' && typeof f.v === 'number';
}

/** Listens on socketPath (mode 0600 unless events.mode says otherwise) and answers each request with its route's handler. */
export async function serveRpc(socketPath: string, routes: Route[], events: RpcServerEvents = {}): Promise<RpcServer> {
  const table = new Map(routes.map((r) => [r.spec.type, r]));
  const sockets = new Set<net.Socket>();

  const server = net.createServer((sock) => {
    let peer: PeerCredentials | undefined;
    if (events.identifyPeers) {
      peer = peerOf(sock);
      if (!peer) {
        events.onError?.('rejected connection: cannot tell who connected (SO_PEERCRED)');
        sock.destroy();
        return;
      }
    }
    sockets.add(sock);
    const decoder = new FrameDecoder();
    let closed = false;
    let markClosed: () => void = () => {};
    const closedPromise = new Promise<void>((resolve) => (markClosed = resolve));
    const ctx: RequestContext = { closed: closedPromise, isClosed: () => closed, ...(peer ? { peer } : {}) };
    const send = (frame: ReplyFrame) => {
      if (!closed && !sock.destroyed) sock.write(encodeFrame(frame));
    };
    sock.on('close', () => {
      closed = true;
      sockets.delete(sock);
      markClosed();
    });
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: Buffer) => {
      let frames: unknown[];
      try {
        frames = decoder.push(chunk);
      } catch (e) {
        const msg = e instanceof FrameError ? e.message : 'bad frame';
        events.onError?.(`rejected connection: ${msg}`);
        send({ v: PROTOCOL_VERSION, id: -1, ok: false, error: { code: 'INVALID_REQUEST', status: 133, message: msg } });
        sock.end();
        sock.destroy();
        return;
      }
      for (const frame of frames) void dispatch(frame);
    });

    async function dispatch(frame: unknown): Promise<void> {
      if (!isRequestFrame(frame)) {
        send({ v: PROTOCOL_VERSION, id: -1, ok: false, error: { code: 'INVALID_REQUEST', status: 133, message: 'malformed request frame' } });
        return;
      }
      const r = table.get(frame.type);
      if (!r) {
        send({ v: PROTOCOL_VERSION, id: frame.id, ok: false, error: { code: 'INVALID_REQUEST', status: 133, message: `unknown request type ${frame.type}` } });
        return;
      }
      if (frame.v !== PROTOCOL_VERSION) {
        send({ v: PROTOCOL_VERSION, id: frame.id, ok: false, error: { code: 'HANDSHAKE_FAILED', status: 26, message: `protocol version ${frame.v} not supported (want ${PROTOCOL_VERSION})` } });
        return;
      }
      try {
        const body = r.spec.request.parse(frame.body);
        const result = await r.handler(body, ctx);
        send({ v: PROTOCOL_VERSION, id: frame.id, ok: true, body: result });
      } catch (e) {
        const err = e instanceof SchemaError ? new OpenbpError('INVALID_REQUEST', e.message) : toOpenbpError(e);
        if (!(e instanceof OpenbpError) && !(e instanceof SchemaError)) events.onError?.(`${frame.type}: ${err.message}`);
        const rec = err.toRecord();
        send({ v: PROTOCOL_VERSION, id: frame.id, ok: false, error: { code: rec.code, status: rec.status, message: rec.message, ...(rec.hint ? { hint: rec.hint } : {}) } });
      }
    }
  });

  // Only a stale socket file is removed: taking over one that a live (perhaps only slow) server listens
  // on would leave that server running unreachable, still holding its clients' waits and its store.
  if (await socketListening(socketPath)) throw new OpenbpError('SOCKET_OPEN_FAILED', `${socketPath}: another process already listens there`);
  try {
    fs.unlinkSync(socketPath);
  } catch {
    /* no stale socket */
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const oldMask = process.umask(0o177);
    server.listen(socketPath, () => {
      process.umask(oldMask);
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, events.mode ?? 0o600);

  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
