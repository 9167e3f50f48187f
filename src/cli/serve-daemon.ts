// Runs one master daemon as this process: its routes plus ping/terminate on run/<daemon>.sock.

import fs from 'node:fs';
import { serveRpc, route, type Route } from '../ipc/rpc-server.js';
import { socketListening } from '../ipc/socket-probe.js';
import { ensureHomeLayout, pidPath, socketPath, userRequestSocketPath, type Home } from '../config/home.js';
import { openProcessLog, type LogLine } from '../config/daemon-log.js';
import { ping, terminate } from '../protocol/lifecycle.js';
import { PROTOCOL_VERSION, type DaemonName } from '../protocol/message.js';
import type { CommandResult } from './command.js';

export interface DaemonService {
  readonly routes: Route[];
  /**
   * Routes other users may call (bprd only): served on run/bprd-user.sock, mode 0666, when the daemon runs
   * as root; each handler sees the caller's uid/gid from the kernel as ctx.peer. The daemon's own socket
   * stays 0600.
   */
  readonly userRoutes?: Route[];
  /** Work to do once the socket listens (recovery after a restart, timers). */
  start?(): Promise<void> | void;
  close(): Promise<void>;
}

export type DaemonFactory = (home: Home, log: LogLine) => Promise<DaemonService> | DaemonService;

/** Serves until terminated; returns the command result of the daemon's life. */
export async function serveDaemon(home: Home, name: DaemonName, factory: DaemonFactory): Promise<CommandResult> {
  process.title = name;
  ensureHomeLayout(home);
  const sock = socketPath(home, name);
  // A listener on the socket is the running daemon, however slow it is to answer a ping under load: a
  // second one must not take its socket over (the first would go on, unreachable, holding waits and state).
  if (await socketListening(sock)) return { status: 0, stderr: `${name}: already running` };
  const log = openProcessLog(home, name);
  const service = await factory(home, log);
  const started = Math.floor(Date.now() / 1000);
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const routes: Route[] = [
    ...service.routes,
    route(ping(name), () => ({ daemon: name, pid: process.pid, started, version: PROTOCOL_VERSION })),
    route(terminate(name), () => {
      setImmediate(stop);
      return {};
    }),
  ];
  let server;
  try {
    server = await serveRpc(sock, routes, { onError: (m) => log(`error: ${m}`) });
  } catch (e) {
    // Another copy started in the same instant and listens already.
    await service.close();
    if (await socketListening(sock)) return { status: 0, stderr: `${name}: already running` };
    throw e;
  }
  const userServer =
    service.userRoutes && process.getuid?.() === 0
      ? await serveRpc(userRequestSocketPath(home), service.userRoutes, { onError: (m) => log(`error (user socket): ${m}`), mode: 0o666, identifyPeers: true })
      : undefined;
  fs.writeFileSync(pidPath(home, name), `${process.pid}\n`, { mode: 0o600 });
  log(`${name} started, pid ${process.pid}`);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('uncaughtException', (e) => log(`uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  await service.start?.();
  await stopped;
  log(`${name} terminating`);
  await server.close();
  await userServer?.close();
  await service.close();
  try {
    if (fs.readFileSync(pidPath(home, name), 'utf8').trim() === String(process.pid)) fs.unlinkSync(pidPath(home, name));
  } catch {
    /* already gone */
  }
  // Pending timers or sockets must not keep a terminated daemon alive.
  setTimeout(() => process.exit(0), 50).unref();
  return { status: 0 };
}
