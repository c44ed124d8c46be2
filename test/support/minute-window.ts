/**
 * Rate limits count in fixed minute windows aligned on the epoch: a test that needs several requests to land
 * in one window first waits out a window about to end.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const MINUTE_MS = 60_000;

/** Resolves at once when at least `needMs` of the current minute window remain, else when the next one begins. */
export async function roomInMinuteWindow(needMs = 10_000): Promise<void> {
  const left = MINUTE_MS - (Date.now() % MINUTE_MS);
  if (left < needMs) await sleep(left + 100);
}
