// bp.conf: NetBackup's "KEY = value" configuration, keys repeatable and kept in order.

import fs from 'node:fs';
import os from 'node:os';
import type { Home } from './home.js';

export type BpConf = ReadonlyArray<readonly [string, string]>;

export function parseBpConf(text: string): BpConf {
  const out: Array<[string, string]> = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out.push([line.slice(0, eq).trim().toUpperCase(), line.slice(eq + 1).trim()]);
  }
  return out;
}

export function readBpConf(home: Home): BpConf {
  try {
    return parseBpConf(fs.readFileSync(home.bpConf, 'utf8'));
  } catch {
    return [];
  }
}

export function confValue(conf: BpConf, key: string): string | undefined {
  const k = key.toUpperCase();
  for (const [name, value] of conf) if (name === k) return value;
  return undefined;
}

export function confValues(conf: BpConf, key: string): string[] {
  const k = key.toUpperCase();
  return conf.filter(([name]) => name === k).map(([, v]) => v);
}

export function confInt(conf: BpConf, key: string, fallback: number): number {
  const v = confValue(conf, key);
  if (v === undefined) return fallback;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : fallback;
}

/** This host's client name: CLIENT_NAME from bp.conf, else the short host name. */
export function clientName(conf: BpConf): string {
  return confValue(conf, 'CLIENT_NAME') ?? os.hostname().split('.')[0]!;
}

/** The master server: the first SERVER line, else this host. */
export function masterServer(conf: BpConf): string {
  return confValues(conf, 'SERVER')[0] ?? os.hostname().split('.')[0]!;
}
