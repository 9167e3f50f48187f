// Where everything of one openbp installation lives under $OPENBP_HOME.

import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { confValue, parseBpConf } from './bp-conf.js';

/** The system-wide configuration naming the master's home for every user (root and others). */
export const SYSTEM_CONF = '/etc/openbp.conf';

export interface Home {
  readonly root: string;
  readonly run: string;
  readonly db: string;
  readonly images: string;
  readonly jobs: string;
  readonly emm: string;
  readonly classes: string;
  readonly config: string;
  readonly logs: string;
  readonly defaultStu: string;
  readonly bpConf: string;
}

/** $OPENBP_HOME, else OPENBP_HOME from /etc/openbp.conf (a system-wide master), else ~/.openbp (the embedded default). */
export function defaultHomeRoot(env: NodeJS.ProcessEnv = process.env, systemConf = SYSTEM_CONF): string {
  if (env.OPENBP_HOME) return path.resolve(env.OPENBP_HOME);
  const system = systemHomeRoot(systemConf);
  if (system) return system;
  return path.join(env.HOME ?? os.homedir(), '.openbp');
}

/** OPENBP_HOME from the system configuration file, when it exists and names an absolute path. */
export function systemHomeRoot(file = SYSTEM_CONF): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const root = confValue(parseBpConf(text), 'OPENBP_HOME');
  return root && path.isAbsolute(root) ? path.resolve(root) : undefined;
}

export function homeAt(root: string): Home {
  const r = path.resolve(root);
  return {
    root: r,
    run: path.join(r, 'run'),
    db: path.join(r, 'db'),
    images: path.join(r, 'db', 'images'),
    jobs: path.join(r, 'db', 'jobs'),
    emm: path.join(r, 'db', 'emm'),
    classes: path.join(r, 'db', 'class'),
    config: path.join(r, 'db', 'config'),
    logs: path.join(r, 'logs'),
    defaultStu: path.join(r, 'stu', 'default'),
    bpConf: path.join(r, 'bp.conf'),
  };
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): Home {
  return homeAt(defaultHomeRoot(env));
}

/**
 * Creates the home's directories and sets their modes: nobody but the owner may read or write any of
 * it. A master run by root lets other users pass through the top and run/ (0711: no listing, no
 * writing) to reach bprd's user-request socket; db/, logs/ and the rest stay 0700.
 */
export function ensureHomeLayout(home: Home): void {
  fs.mkdirSync(home.root, { recursive: true, mode: 0o700 });
  for (const dir of [home.run, home.images, home.jobs, home.emm, home.classes, home.config, home.logs]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  const passage = process.getuid?.() === 0 ? 0o711 : 0o700;
  setOwnMode(home.root, passage);
  setOwnMode(home.run, passage);
  setOwnMode(home.db, 0o700);
  setOwnMode(home.logs, 0o700);
}

/** chmod when this process owns the directory and its mode differs (a home made by an older version, or by hand). */
function setOwnMode(dir: string, mode: number): void {
  const st = fs.statSync(dir);
  if (st.uid === process.getuid?.() && (st.mode & 0o7777) !== mode) fs.chmodSync(dir, mode);
}

export function socketPath(home: Home, daemon: string): string {
  return path.join(home.run, `${daemon}.sock`);
}

/** bprd's socket for requests from other users (mode 0666; bprd learns each caller's uid from the kernel). */
export function userRequestSocketPath(home: Home): string {
  return path.join(home.run, 'bprd-user.sock');
}

export function pidPath(home: Home, daemon: string): string {
  return path.join(home.run, `${daemon}.pid`);
}
