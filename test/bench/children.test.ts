import { startChild, type ServerChild } from './children';

let upstream: ServerChild | undefined;
afterAll(() => upstream?.stop());

test('a server process runs a full garbage collection when asked, and confirms it', async () => {
  upstream = await startChild('upstream', {});
  const before = (await upstream.stats()).memory!;
  expect(await upstream.collectGarbage()).toBe(true);
  const after = (await upstream.stats()).memory!;
  // A full collection leaves no more live heap than there was (the process is idle).
  expect(after.heapUsed).toBeLessThanOrEqual(before.heapUsed);
}, 30_000);
