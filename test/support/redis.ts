/**
 * A real `redis-server` for the state tests: loopback only, an ephemeral port, no persistence (so a restart
 * starts empty, like a failed-over Memorystore instance), and every process it starts is stopped again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { freePort } from './host';

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
const STARTUP_DEADLINE_MS = 10_000;
const PORT_ATTEMPTS = 5;

export interface RedisServer {
  url: string;
  port: number;
  /** The server's process id (it changes with `restart`). */
  pid(): number | undefined;
  /** Shuts the server down (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** SIGKILL: the server vanishes without closing anything cleanly, as in a crash. */
  kill(): Promise<void>;
  /** Starts a new server on the same port (after `kill` or `stop`) and waits until it answers PING. */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its connections open but answers nothing, as a stalled instance would. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
}

/** Every server process started by this module, so a failing test cannot leave one behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/** `password`: the server requires it (`requirepass`); its URL still carries none, so a test writes its own. */
export async function startRedis(options: { password?: string } = {}): Promise<RedisServer> {
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; !child; attempt += 1) {
    port = await freePort();
    try {
      child = await launch(port, options.password);
    } catch (error) {
      // Another process may take the port between our probe and redis-server binding it.
      if (!(error instanceof AddressInUseError) || attempt === PORT_ATTEMPTS) throw error;
    }
  }
  let current: ChildProcess = child;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: () => current.pid,
    stop: () => terminate(current, 'SIGTERM'),
    kill: () => terminate(current, 'SIGKILL'),
    restart: async () => {
      await terminate(current, 'SIGKILL');
      current = await launch(port, options.password);
    },
    pause: () => void current.kill('SIGSTOP'),
    resume: () => void current.kill('SIGCONT'),
  };
}

class AddressInUseError extends Error {}

async function launch(port: number, password: string | undefined): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir(), ...(password === undefined ? [] : ['--requirepass', password])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));

  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      if (output.includes('Address already in use')) throw new AddressInUseError(`port ${port} is taken`);
      throw new Error(`redis-server exited before answering on port ${port}: ${output}`);
    }
    // The ready line proves that this process holds the port, not another that answers PING on it.
    if (output.includes('Ready to accept connections') && (await answersPing(port, password))) return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await terminate(child, 'SIGKILL');
  throw new Error(`redis-server did not answer PING on port ${port} within ${STARTUP_DEADLINE_MS} ms: ${output}`);
}

/** One raw PING over TCP (after AUTH, with a password), so the helper depends on nothing it is used to test. */
function answersPing(port: number, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const finish = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      const lines = reply.split('\r\n');
      // AUTH's +OK, then PING's +PONG: the last complete line is PING's answer.
      if (lines.length > (password === undefined ? 1 : 2)) finish(lines.at(-2) === '+PONG');
    });
    socket.connect(port, '127.0.0.1', () => socket.write(`${password === undefined ? '' : `AUTH ${password}\r\n`}PING\r\n`));
  });
}

function terminate(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // A paused server only acts on SIGTERM once it runs again.
    if (signal === 'SIGTERM') child.kill('SIGCONT');
    child.kill(signal);
  });
}
