// Where everything of one openbp installation lives under $OPENBP_HOME.

import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';

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

export function defaultHomeRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPENBP_HOME) return path.resolve(env.OPENBP_HOME);
  return path.join(env.HOME ?? os.homedir(), '.openbp');
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

/** Creates the home's directories (mode 0700 at the top: nobody else may read backups' metadata). */
export function ensureHomeLayout(home: Home): void {
  fs.mkdirSync(home.root, { recursive: true, mode: 0o700 });
  for (const dir of [home.run, home.images, home.jobs, home.emm, home.classes, home.config, home.logs]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}

export function socketPath(home: Home, daemon: string): string {
  return path.join(home.run, `${daemon}.sock`);
}

export function pidPath(home: Home, daemon: string): string {
  return path.join(home.run, `${daemon}.pid`);
}
