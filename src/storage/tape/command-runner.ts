// Runs an external tool (mt, mtx) and returns its exit code and output; injectable for tests.

import { execFile } from 'node:child_process';

export interface CommandOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type CommandRunner = (cmd: string, args: readonly string[]) => Promise<CommandOutput>;

export const runCommand: CommandRunner = (cmd, args) =>
  new Promise((resolve, reject) => {
    execFile(cmd, [...args], { encoding: 'utf8', timeout: 30 * 60 * 1000 }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(err); // ENOENT: the tool is not installed
        return;
      }
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
