import { getEventListeners } from 'node:events';
import { abortableSleep, CancelledWhileWaiting } from './abortable-sleep';

test('waits that end on time leave no abort listener behind, however many a request makes', async () => {
  const request = new AbortController();
  for (let i = 0; i < 25; i++) await abortableSleep(1, request.signal);
  expect(getEventListeners(request.signal, 'abort')).toHaveLength(0);
});

test('a wait ends as soon as its caller leaves, as a 499, and its timer with it', async () => {
  jest.useFakeTimers();
  try {
    const request = new AbortController();
    const waiting = abortableSleep(60_000, request.signal);
    expect(jest.getTimerCount()).toBe(1);
    request.abort();
    await expect(waiting).rejects.toBeInstanceOf(CancelledWhileWaiting);
    await expect(waiting).rejects.toMatchObject({ httpStatus: 499 });
    expect(jest.getTimerCount()).toBe(0);
  } finally {
    jest.useRealTimers();
  }
});

test('a caller already gone waits not at all', async () => {
  const request = new AbortController();
  request.abort();
  await expect(abortableSleep(60_000, request.signal)).rejects.toBeInstanceOf(CancelledWhileWaiting);
  expect(getEventListeners(request.signal, 'abort')).toHaveLength(0);
});
