// Who is asking: the user behind a command, as the daemons need it for access rules.

import os from 'node:os';
import type { Requester } from '../protocol/records.js';

export function currentRequester(): Requester {
  const u = os.userInfo();
  return { uid: u.uid, gid: u.gid, user: u.username, host: os.hostname().split('.')[0]! };
}
