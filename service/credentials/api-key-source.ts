/**
 * Where the AI Studio API key comes from: the environment (a fixed value) or a file that Secret Manager
 * mounts. The key is sent upstream only in the `x-goog-api-key` header, never in a URL.
 */
import { readFile } from 'node:fs/promises';

export interface ApiKeySource {
  /** The key to send now; throws when none could be loaded. */
  current(): string;
  /** Whether a key is loaded (readiness). */
  ready(): boolean;
  /** Loads the key (a file source reads its file); resolves once a first key is there. */
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
  async start(): Promise<void> {}
  stop(): void {}
}

export class ApiKeyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyUnavailableError';
  }
}

/** Reads the key from a mounted file; surrounding white space (a trailing newline) is not part of the key. */
export class FileApiKey implements ApiKeySource {
  private key: string | undefined;

  constructor(private readonly path: string) {}

  current(): string {
    if (this.key === undefined) throw new ApiKeyUnavailableError(`No API key could be read from ${this.path}.`);
    return this.key;
  }

  ready(): boolean {
    return this.key !== undefined;
  }

  async start(): Promise<void> {
    const text = (await readFile(this.path, 'utf8')).trim();
    if (text.length === 0) throw new ApiKeyUnavailableError(`The API key file ${this.path} is empty.`);
    this.key = text;
  }

  stop(): void {}
}
