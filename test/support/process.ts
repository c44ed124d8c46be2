/** Runs the compiled gateway as a real process (as production does) and reads its JSON log lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GATEWAY_NODE_FLAGS } from '../../service/node-flags';

export const MAIN = join(__dirname, '..', '..', 'dist', 'service', 'main.js');

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  logs: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Starts `node <flags> dist/service/main.js` on an ephemeral port and resolves once it logs where it listens. */
export function startGatewayProcess(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (typeof entry.url === 'string' && String(entry.message).includes('listening')) resolve({ child, url: entry.url, logs, exited });
    });
    void exited.then((code) => reject(new Error(`gateway exited with ${code} before listening: ${stderr}`)));
  });
}
