// User and group names from /etc/passwd and /etc/group, read once per process and cached (byte strings).

import fs from 'node:fs';

function parseDb(file: string): { byId: Map<number, string>; byName: Map<string, number> } {
  const byId = new Map<number, string>();
  const byName = new Map<string, number>();
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch {
    return { byId, byName };
  }
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3) continue;
    const id = Number(f[2]);
    if (!Number.isSafeInteger(id) || f[0] === '' || f[0]!.startsWith('+') || f[0]!.startsWith('-')) continue;
    if (!byId.has(id)) byId.set(id, f[0]!);
    if (!byName.has(f[0]!)) byName.set(f[0]!, id);
  }
  return { byId, byName };
}

export class IdNames {
  private users?: ReturnType<typeof parseDb>;
  private groups?: ReturnType<typeof parseDb>;

  constructor(
    private readonly passwdFile = '/etc/passwd',
    private readonly groupFile = '/etc/group',
  ) {}

  private u() {
    return (this.users ??= parseDb(this.passwdFile));
  }

  private g() {
    return (this.groups ??= parseDb(this.groupFile));
  }

  /** The user name of a uid, or '' when it has none. */
  userName(uid: number): string {
    return this.u().byId.get(uid) ?? '';
  }

  groupName(gid: number): string {
    return this.g().byId.get(gid) ?? '';
  }

  uidOf(name: string): number | undefined {
    return name === '' ? undefined : this.u().byName.get(name);
  }

  gidOf(name: string): number | undefined {
    return name === '' ? undefined : this.g().byName.get(name);
  }
}
