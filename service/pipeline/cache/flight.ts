/**
 * Collapses concurrent identical cache misses into one upstream call. The first request of a key leads;
 * the others follow it: a unary answer is shared when it settles, a stream's events are replayed to a
 * follower from the start and then delivered live. The upstream call is cancelled only when every
 * request waiting on it has gone.
 *
 * A flight is admitted under its leader's limits and budget. Until then only the leader's own requests
 * follow it: another caller sharing the cache must not wait in the leader's queue, nor share its refusal.
 */
import { type GoogleApiError } from '../../protocol/errors';

type Listener = () => void;

/**
 * Who may follow a flight: its leader's requests always, another caller's once the flight is admitted;
 * nobody once everyone waiting on it has left and its upstream call is being cancelled.
 */
class Followable {
  private admitted = false;
  private abandoned = false;

  constructor(private readonly leader: string) {}

  /** The leader's admission is through (or the answer came from the cache). */
  markAdmitted(): void {
    this.admitted = true;
  }

  followableBy(caller: string): boolean {
    return !this.abandoned && (this.admitted || caller === this.leader);
  }

  /** Everyone waiting has left: a request arriving now starts its own call instead of sharing the cancellation. */
  protected abandon(): void {
    this.abandoned = true;
  }
}

/** One in-flight stream: the events so far, the end, and who is listening. */
export class StreamFlight extends Followable {
  readonly events: string[] = [];
  private done = false;
  private failure: GoogleApiError | undefined;
  private listeners = new Set<Listener>();
  private readers = 0;

  /** @param onAbandoned called once everyone has left, with why the last one did (its signal's reason). */
  constructor(
    leader: string,
    private readonly onAbandoned: (reason: unknown) => void,
  ) {
    super(leader);
  }

  push(event: string): void {
    this.events.push(event);
    this.notify();
  }

  finish(failure?: GoogleApiError): void {
    this.done = true;
    this.failure = failure;
    this.notify();
  }

  /**
   * Every event from the first, then live; ends with the flight (throwing its failure, if any), or as soon
   * as `signal` aborts — even while waiting for the next event, so a reader that left is let go at once.
   */
  async *subscribe(signal: AbortSignal): AsyncGenerator<string> {
    this.readers++;
    // One abort listener for the whole subscription, not one per wait: a stream of thousands of events
    // would otherwise pile up a listener (and its closure) per event on the request's signal until it ends.
    let wake: Listener | undefined;
    const onAbort = (): void => {
      if (!wake) return;
      this.listeners.delete(wake);
      wake();
    };
    signal.addEventListener('abort', onAbort);
    let index = 0;
    try {
      for (;;) {
        while (index < this.events.length) yield this.events[index++] as string;
        if (this.done) {
          if (this.failure) throw this.failure;
          return;
        }
        if (signal.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          this.listeners.add(resolve);
        });
        wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.readers--;
      this.left(signal.reason);
    }
  }

  /**
   * Someone left (a reader, or the leader's caller before the first event, while the call was admitted,
   * retried or sent down the fallback chain): with nobody reading, the upstream call is cancelled now.
   */
  left(reason: unknown): void {
    if (this.readers === 0 && !this.done) {
      this.abandon();
      this.onAbandoned(reason);
    }
  }

  private notify(): void {
    const listeners = this.listeners;
    this.listeners = new Set();
    for (const listener of listeners) listener();
  }
}

/** One in-flight unary call: its answer is shared by every request waiting on it. */
export class UnaryFlight<T> extends Followable {
  readonly answer: Promise<T>;
  private readonly controller = new AbortController();
  private waiting = 0;
  private settled = false;

  /**
   * Starts `work` once, under a signal that aborts when no request waits on the answer any longer; `work`
   * calls `admitted` once its leader's admission is through.
   */
  constructor(leader: string, work: (signal: AbortSignal, admitted: () => void) => Promise<T>) {
    super(leader);
    this.answer = work(this.controller.signal, () => this.markAdmitted());
    const settle = (): void => {
      this.settled = true;
    };
    this.answer.then(settle, settle);
  }

  /** The answer, for a request that stops waiting when `signal` aborts. */
  wait(signal: AbortSignal): Promise<T> {
    this.waiting++;
    const leave = (): void => {
      if (--this.waiting > 0 || this.settled) return;
      this.abandon();
      // The last to leave says why: its client left, or the gateway is shutting down.
      this.controller.abort(signal.reason);
    };
    if (signal.aborted) leave();
    else signal.addEventListener('abort', leave, { once: true });
    return this.answer.finally(() => signal.removeEventListener('abort', leave));
  }
}

export class Flights<T> {
  private readonly inFlight = new Map<string, T>();

  get(key: string): T | undefined {
    return this.inFlight.get(key);
  }

  start(key: string, flight: T): void {
    this.inFlight.set(key, flight);
  }

  end(key: string, flight: T): void {
    if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
  }

  get size(): number {
    return this.inFlight.size;
  }
}
