// How a message that crosses a socket is declared: a type name, a request schema, a reply schema.

import type { Schema } from './schema.js';

export const PROTOCOL_VERSION = 1;

export type DaemonName = 'bprd' | 'nbpem' | 'nbjm' | 'nbrb' | 'nbemm' | 'bpjobd' | 'bpdbm';

export const DAEMONS: readonly DaemonName[] = ['bpdbm', 'bpjobd', 'nbemm', 'nbrb', 'nbjm', 'nbpem', 'bprd'];

export interface MessageSpec<Req, Res> {
  readonly daemon: DaemonName;
  readonly type: string;
  readonly request: Schema<Req>;
  readonly reply: Schema<Res>;
}

export type RequestOf<M> = M extends MessageSpec<infer Req, unknown> ? Req : never;
export type ReplyOf<M> = M extends MessageSpec<unknown, infer Res> ? Res : never;

export function message<Req, Res>(daemon: DaemonName, name: string, request: Schema<Req>, reply: Schema<Res>): MessageSpec<Req, Res> {
  return { daemon, type: `${daemon}.${name}`, request, reply };
}

/** The envelope of every frame on a control socket. */
export interface RequestFrame {
  v: number;
  id: number;
  type: string;
  body: unknown;
}

export interface ReplyFrame {
  v: number;
  id: number;
  ok: boolean;
  body?: unknown;
  error?: { code: string; status: number; message: string; hint?: string };
}
