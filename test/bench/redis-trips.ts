/**
 * Redis round trips per request: every command the gateway sends while it serves a known number of
 * requests, seen through `MONITOR` (commands that Lua scripts run inside Redis are shown as `[n lua]` and
 * are not round trips, so they are left out). The gateway awaits each command before the next, so each
 * command is one round trip.
 */
import { Socket } from 'node:net';
import { Pool } from 'undici';
import { callPath } from './load';

export interface TripCount {
  requests: number;
  ok: number;
  commandsPerRequest: number;
  /** Commands per request by name, e.g. `{ get: 1, evalsha: 2, set: 1 }`. */
  byCommand: Record<string, number>;
}

/** Starts MONITOR on `port`; `stop()` ends it and returns the commands seen, by name. */
async function monitor(port: number): Promise<{ stop: () => Promise<Record<string, number>> }> {
  const socket = new Socket();
  const counts: Record<string, number> = {};
  let buffer = '';
  let started = false;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => {
      socket.write('MONITOR\r\n');
      resolve();
    });
  });
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (line === '+OK') {
        started = true;
        continue;
      }
      // +1700000000.123456 [0 127.0.0.1:50000] "evalsha" "..." — or [0 lua] for a script's own calls.
      const match = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
      if (!match || match[1] === 'lua') continue;
      const name = match[2]!.toLowerCase();
      counts[name] = (counts[name] ?? 0) + 1;
    }
  });
  for (let i = 0; i < 100 && !started; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return {
    stop: async () => {
      // Lets the last commands' MONITOR lines arrive.
      await new Promise((resolve) => setTimeout(resolve, 200));
      socket.destroy();
      return counts;
    },
  };
}

/** Sends `requests` requests (4 at a time) to the gateway and counts the Redis commands it issued meanwhile. */
export async function countRedisTrips(gatewayUrl: string, redisPort: number, headers: Record<string, string>, requests: number, body: () => string, stream: boolean): Promise<TripCount> {
  const pool = new Pool(gatewayUrl, { connections: 4 });
  const watch = await monitor(redisPort);
  let ok = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests) {
      next++;
      const reply = await pool.request({ method: 'POST', path: callPath(stream), headers: { 'content-type': 'application/json', ...headers }, body: body() });
      await reply.body.text();
      if (reply.statusCode === 200) ok++;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const counts = await watch.stop();
  await pool.close();
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const byCommand = Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, round(n / requests, 2)]));
  return { requests, ok, commandsPerRequest: round(total / requests, 2), byCommand };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
