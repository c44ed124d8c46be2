/**
 * `clientGone` against a real HTTP server: the request's signal aborts when its client leaves (499) or when
 * the drain time is up (GatewayShuttingDown), and it never leaves a watch on the gateway-wide drain deadline
 * behind, even for a pipelined request whose response never emits its own 'close'.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientGone } from '../../service/api/client-gone';
import { DrainDeadline } from '../../service/api/drain-deadline';
import { GatewayShuttingDown, GoogleApiError } from '../../service/protocol/errors';

let server: Server;
let closing: DrainDeadline;
const signals: AbortSignal[] = [];

beforeEach(async () => {
  closing = new DrainDeadline();
  signals.length = 0;
  // Never answers: every request stays in flight until its client leaves.
  server = createServer((_req, res) => void signals.push(clientGone(res, closing)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !condition(); i++) await sleep(20);
  expect(condition()).toBe(true);
}

/** Two requests pipelined on one connection, which is then dropped. */
async function pipelinedThenDropped(): Promise<void> {
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n');
  await until(() => signals.length === 2);
  socket.destroy();
}

test('a pipelined request behind another aborts as its client leaves, and leaves no watch on the drain deadline', async () => {
  await pipelinedThenDropped();
  await until(() => signals.every((signal) => signal.aborted));
  for (const signal of signals) expect(signal.reason).toMatchObject({ httpStatus: 499 });
  expect(closing.watching).toBe(0);
});

test('the drain time up aborts every request in flight as the gateway shutting down', async () => {
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
  await until(() => signals.length === 1);
  closing.pass();
  expect(signals[0]?.reason).toBeInstanceOf(GatewayShuttingDown);
  expect(signals[0]?.reason).toBeInstanceOf(GoogleApiError);
  socket.destroy();
});

test('a request that arrives after the drain time is up starts aborted', async () => {
  closing.pass();
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.write('GET /late HTTP/1.1\r\nHost: x\r\n\r\n');
  await until(() => signals.length === 1);
  expect(signals[0]?.aborted).toBe(true);
  expect(signals[0]?.reason).toBeInstanceOf(GatewayShuttingDown);
  socket.destroy();
});
