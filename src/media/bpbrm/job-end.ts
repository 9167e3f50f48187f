// What a bpbrm job run returns, and the daemon connections it uses.

import type { RpcConnection } from '../../ipc/rpc-client.js';

export interface JobEnd {
  status: number;
  kbytes: number;
  files: number;
  message?: string;
}

export interface JobPeers {
  readonly bpdbm: RpcConnection;
  readonly bpjobd: RpcConnection;
}
