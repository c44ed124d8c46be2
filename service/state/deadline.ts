/** Bounds a piece of work in time, whatever it is made of (a script can take two commands: EVALSHA, EVAL). */

export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';

  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** Settles as `work` does, or rejects with DeadlineExceededError after `timeoutMs`, whichever comes first. */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(timeoutMs)), timeoutMs);
  });
  // Promise.race subscribes to `work`, so its late rejection after the deadline is handled, not unhandled.
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
