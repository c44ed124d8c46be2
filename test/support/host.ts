/** What the machine running the tests offers: a free loopback port, a command on PATH. */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

/** A port nobody listens on right now: bind port 0, read what the kernel chose, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether `command --version` runs: the tests that need a tool (promtool, prometheus) skip without it. */
export function commandAvailable(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
