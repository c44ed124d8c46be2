/** Redis connections for the state tests, made as the gateway makes them, and their bookkeeping. */
import type { Redis } from 'ioredis';
import { createRedisClient } from '../../service/state/redis-client';

/**
 * How long closing a connection may take (the client's only timer: the gateway bounds each command itself,
 * with `withDeadline`). Generous: the tests exercise logic, not latency.
 */
const TEST_TIMEOUT_MS = 2_000;

/** A client whose connection is ready (the gateway's client fails commands instead of queueing them). */
export async function connectedClient(url: string): Promise<Redis> {
  const client = createRedisClient(url, TEST_TIMEOUT_MS);
  client.on('error', () => undefined);
  await whenReady(client);
  return client;
}

export function whenReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

/** A key prefix no other test uses, so tests sharing one server cannot see each other's keys. */
let prefixes = 0;
export function freshPrefix(): string {
  prefixes += 1;
  return `test${prefixes}:`;
}

export async function closeClients(...clients: Redis[]): Promise<void> {
  await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
}
