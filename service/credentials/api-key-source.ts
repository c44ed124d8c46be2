/**
 * Where the AI Studio API key comes from: the environment (a fixed value) or a file that Secret Manager
 * mounts (`latest`). On Cloud Run each read of that file fetches the secret, and no file-change event ever
 * fires, so the file is re-read on an interval and at once after an upstream auth failure; the previous
 * key stays usable through a grace period, so a rotation never fails a request. The key is sent upstream
 * only in the `x-goog-api-key` header, never in a URL.
 */
import { readFile } from 'node:fs/promises';

export type ReloadOutcome = 'changed' | 'unchanged' | 'failed';

export interface ApiKeySource {
  /** The key to send now; throws when none could be loaded. */
  current(): string;
  /** Whether a key is loaded (readiness). */
  ready(): boolean;
  /** After the upstream refused `failedKey`: another key worth one more try (re-reading the source first), if any. */
  alternativeTo(failedKey: string): Promise<string | undefined>;
  /** Loads the key; resolves once a first key is there. */
  start(): Promise<void>;
  stop(): void;
}

export class StaticApiKey implements ApiKeySource {
  constructor(private readonly key: string) {}
  current(): string {
    return this.key;
  }
  ready(): boolean {
    return true;
  }
  alternativeTo(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
  async start(): Promise<void> {}
  stop(): void {}
}

export class ApiKeyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyUnavailableError';
  }
}

export interface FileApiKeyOptions {
  reloadMs: number;
  graceMs: number;
  now?: () => number;
  onReload?: (outcome: ReloadOutcome) => void;
}

export class FileApiKey implements ApiKeySource {
  private key: string | undefined;
  private previous: { key: string; until: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<ReloadOutcome> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly path: string,
    private readonly options: FileApiKeyOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  current(): string {
    if (this.key === undefined) throw new ApiKeyUnavailableError(`No API key could be read from ${this.path}.`);
    return this.key;
  }

  ready(): boolean {
    return this.key !== undefined;
  }

  async start(): Promise<void> {
    if ((await this.reload()) === 'failed' && this.key === undefined) throw new ApiKeyUnavailableError(`The API key file ${this.path} cannot be read or is empty.`);
    this.timer = setInterval(() => void this.reload(), this.options.reloadMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async alternativeTo(failedKey: string): Promise<string | undefined> {
    await this.reload();
    if (this.key !== undefined && this.key !== failedKey) return this.key;
    const previous = this.previous;
    if (previous && previous.until > this.now() && previous.key !== failedKey) return previous.key;
    return undefined;
  }

  /** Re-reads the file; concurrent calls share one read. */
  reload(): Promise<ReloadOutcome> {
    this.reloading ??= this.readOnce().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async readOnce(): Promise<ReloadOutcome> {
    let text: string;
    try {
      text = (await readFile(this.path, 'utf8')).trim();
    } catch {
      return this.report('failed');
    }
    // A half-written or emptied file is a failed read, not a key: keep serving with the one we have.
    if (text.length === 0) return this.report('failed');
    if (text === this.key) return this.report('unchanged');
    if (this.key !== undefined) this.previous = { key: this.key, until: this.now() + this.options.graceMs };
    this.key = text;
    return this.report('changed');
  }

  private report(outcome: ReloadOutcome): ReloadOutcome {
    this.options.onReload?.(outcome);
    return outcome;
  }
}
