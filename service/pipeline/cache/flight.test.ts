import { getEventListeners } from 'node:events';
import { StreamFlight, UnaryFlight } from './flight';

test("a unary flight is followed by its leader's requests at once, by another caller's only once admitted", async () => {
  let admit: () => void = () => undefined;
  let answer: (value: string) => void = () => undefined;
  const flight = new UnaryFlight('team-a', (_signal, admitted) => {
    admit = admitted;
    return new Promise<string>((resolve) => (answer = resolve));
  });
  expect(flight.followableBy('team-a')).toBe(true);
  expect(flight.followableBy('team-b')).toBe(false);
  admit();
  expect(flight.followableBy('team-b')).toBe(true);
  answer('done');
  await expect(flight.wait(new AbortController().signal)).resolves.toBe('done');
});

test('a unary flight is cancelled when its last waiter leaves, not before', () => {
  let upstream: AbortSignal | undefined;
  const flight = new UnaryFlight('team-a', (signal) => {
    upstream = signal;
    return new Promise<string>(() => undefined);
  });
  const [first, second] = [new AbortController(), new AbortController()];
  void flight.wait(first.signal);
  void flight.wait(second.signal);
  first.abort();
  expect(upstream?.aborted).toBe(false);
  expect(flight.followableBy('team-a')).toBe(true);
  second.abort();
  expect(upstream?.aborted).toBe(true);
  // A request arriving while the cancellation is under way starts its own call rather than share it.
  expect(flight.followableBy('team-a')).toBe(false);
});

test("a stream flight likewise: another caller follows only after the leader's admission", async () => {
  const flight = new StreamFlight('team-a', () => undefined);
  expect([flight.followableBy('team-a'), flight.followableBy('team-b')]).toEqual([true, false]);
  flight.markAdmitted();
  expect(flight.followableBy('team-b')).toBe(true);
  const leaving = new AbortController();
  const next = flight.subscribe(leaving.signal).next();
  leaving.abort();
  await next;
  // Its last reader left: the flight is being cancelled, and a request arriving now starts its own.
  expect(flight.followableBy('team-a')).toBe(false);
});

test('a stream reader listens for its abort once, however many events it waits for, and not after it ends', async () => {
  const flight = new StreamFlight('team-a', () => undefined);
  const reader = new AbortController();
  const events = flight.subscribe(reader.signal);
  const listeners = (): number => getEventListeners(reader.signal, 'abort').length;
  for (let i = 0; i < 50; i++) {
    const next = events.next();
    // The reader is waiting for the next event now.
    await new Promise((resolve) => setImmediate(resolve));
    expect(listeners()).toBe(1);
    flight.push(`event ${i}`);
    await expect(next).resolves.toEqual({ done: false, value: `event ${i}` });
  }
  const end = events.next();
  flight.finish();
  await expect(end).resolves.toEqual({ done: true, value: undefined });
  expect(listeners()).toBe(0);
});

test('a stream reader that leaves while waiting is let go at once, and leaves no listener behind', async () => {
  let abandoned: unknown;
  const flight = new StreamFlight('team-a', (reason) => (abandoned = reason));
  const reader = new AbortController();
  const events = flight.subscribe(reader.signal);
  flight.push('first');
  await expect(events.next()).resolves.toEqual({ done: false, value: 'first' });
  const waiting = events.next();
  await new Promise((resolve) => setImmediate(resolve));
  reader.abort('client left');
  await expect(waiting).resolves.toEqual({ done: true, value: undefined });
  expect(abandoned).toBe('client left');
  expect(getEventListeners(reader.signal, 'abort')).toHaveLength(0);
  // Events after it left reach nobody and wake nothing.
  flight.push('second');
  flight.finish();
});
