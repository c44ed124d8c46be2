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
