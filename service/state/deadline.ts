/**
 * Time limits on Redis, which tell a slow Redis from a process that was not running.
 *
 * A timer that expires while the process is stalled (a long synchronous task, a full collection, a
 * CPU-throttled container) is due the moment the process runs again, and Node runs due timers before it
 * reads its sockets: a plain `setTimeout` would call a command late that Redis answered in a millisecond,
 * its answer already waiting in the socket. So a deadline here expires only after the I/O that arrived in
 * the meantime has been read (`setImmediate` runs after the event loop's poll phase).
 */

export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';

  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/**
 * Calls `expire` once `timeoutMs` has passed and whatever arrived by then has been read. Returns the function
 * that cancels it. `unref`: the deadline alone does not keep the process alive.
 */
export function expireAfter(timeoutMs: number, expire: () => void, { unref = false } = {}): () => void {
  let afterPendingIo: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    afterPendingIo = setImmediate(expire);
    if (unref) afterPendingIo.unref();
  }, timeoutMs);
  if (unref) timer.unref();
  return () => {
    clearTimeout(timer);
    clearImmediate(afterPendingIo);
  };
}

/**
 * Settles as `work` does, or rejects with DeadlineExceededError after `timeoutMs`, whichever comes first
 * (a script can take two commands: EVALSHA, EVAL; the deadline bounds both).
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let cancel = (): void => undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    cancel = expireAfter(timeoutMs, () => reject(new DeadlineExceededError(timeoutMs)));
  });
  // Promise.race subscribes to `work`, so its late rejection after the deadline is handled, not unhandled.
  return Promise.race([work, deadline]).finally(cancel);
}
