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
  second.abort();
  expect(upstream?.aborted).toBe(true);
});

test("a stream flight likewise: another caller follows only after the leader's admission", () => {
  const flight = new StreamFlight('team-a', () => undefined);
  expect([flight.followableBy('team-a'), flight.followableBy('team-b')]).toEqual([true, false]);
  flight.markAdmitted();
  expect(flight.followableBy('team-b')).toBe(true);
});
