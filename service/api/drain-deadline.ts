/**
 * The moment a shutdown's drain time is up: what the requests still in flight watch for, so that each then
 * ends in Google's (or OpenAI's) terms instead of with its connection cut. A plain set of callbacks rather
 * than an AbortSignal that every request listens to: adding and removing an EventTarget listener twice per
 * request cost the hot path several microseconds, a Set entry costs next to nothing.
 */
export class DrainDeadline {
  private readonly watchers = new Set<() => void>();
  private passed = false;

  /** Runs `cut` when the drain time is up, at once if it is; returns the function that stops watching. */
  watch(cut: () => void): () => void {
    if (this.passed) {
      cut();
      return () => undefined;
    }
    this.watchers.add(cut);
    return () => this.watchers.delete(cut);
  }

  /** The drain time is up: every request still watching is cut, and every later one at once. */
  pass(): void {
    this.passed = true;
    const watchers = [...this.watchers];
    this.watchers.clear();
    for (const cut of watchers) cut();
  }

  /** Requests watching now (tests: none may be left behind). */
  get watching(): number {
    return this.watchers.size;
  }
}
