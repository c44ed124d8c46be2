/**
 * The Redis deadlines (`deadline.ts`): a piece of work settles as it does or fails at its deadline, and an
 * answer that reached the socket while this process was stalled past the deadline still counts as in time.
 */
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { DeadlineExceededError, expireAfter, withDeadline } from '../../service/state/deadline';

/** Keeps this process busy, as a long synchronous task or a throttled container does. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

function pendingTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'Immediate').length;
}

test('work that does not settle fails at the deadline', async () => {
  await expect(withDeadline(new Promise(() => undefined), 20)).rejects.toEqual(new DeadlineExceededError(20));
});

test('work that settles first settles it, either way, and leaves no timer behind', async () => {
  const before = pendingTimers();
  await expect(withDeadline(Promise.resolve('answer'), 10_000)).resolves.toBe('answer');
  await expect(withDeadline(Promise.reject(new Error('refused')), 10_000)).rejects.toThrow('refused');
  expect(pendingTimers()).toBe(before);
});

test('a deadline cancelled when its timer has fired, but before it expires, never expires', () => {
  // Fake timers put the cancel exactly between the deadline's timer and its expiry (the immediate it sets);
  // real ones cannot be relied on to run two timers of one duration in one pass on a loaded machine.
  jest.useFakeTimers();
  try {
    const expired = jest.fn();
    const cancel = expireAfter(5, expired);
    jest.advanceTimersByTime(5);
    expect(jest.getTimerCount()).toBe(1);
    cancel();
    jest.runAllTimers();
    expect(expired).not.toHaveBeenCalled();
    // Uncancelled, the same deadline expires once its immediate runs.
    expireAfter(5, expired);
    jest.advanceTimersByTime(5);
    expect(expired).not.toHaveBeenCalled();
    jest.runAllTimers();
    expect(expired).toHaveBeenCalledTimes(1);
  } finally {
    jest.useRealTimers();
  }
});

describe('an answer that arrived while this process was stalled', () => {
  let server: Server;
  let client: Socket;
  let serverSide: Socket;

  beforeEach(async () => {
    server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(client, 'connect');
    [serverSide] = (await accepted) as [Socket];
  });
  afterEach(async () => {
    client.destroy();
    serverSide.destroy();
    server.close();
    await once(server, 'close');
  });

  test('is in time: the socket is read before the expired deadline counts', async () => {
    const answer = once(client, 'data').then(([chunk]) => String(chunk));
    const answered = withDeadline(answer, 50);
    // The answer is in the socket at once; this process then stalls for three times the deadline.
    serverSide.write('PONG');
    stall(150);
    await expect(answered).resolves.toBe('PONG');
  });
});
