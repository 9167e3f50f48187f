// Runs an openbp command module as a real process from whatever directory the tests were compiled to.
// Scenario tests use the real launchers in bin/ instead (they need dist/).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

const here = path.dirname(fileURLToPath(import.meta.url)); // <out>/test/helpers
const OUT = path.resolve(here, '..', '..');

export function spawnCommandModule(name: string, args: string[], opts: { stdio?: StdioOptions; env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  const main = path.join(OUT, 'src/cli/main.js');
  const mod = path.join(OUT, 'src/cmd', `${name}.js`);
  const script = `import { main } from ${JSON.stringify(main)}; import { command } from ${JSON.stringify(mod)}; await main(command, process.argv.slice(1));`;
  return spawn(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
}
