/**
 * SHA-256 of a JSON value's canonical text, the text `safe-stable-stringify` writes (keys in sorted order),
 * without writing that text. The prompt is what makes a request large, and nearly all of it is a few long
 * strings: a 5 MB inline image is a 6.7 MB base64 string. Written out whole, each long string was escaped
 * (a native copy that needed 12 ms for that image, on this project's benchmark machine), joined into the
 * text and copied again to be hashed: 14 ms in all. Here a long string that needs no escaping, which one
 * regular-expression scan tells, goes to the hash as it is (7 ms for the same image, all told); everything
 * else is written as `safe-stable-stringify` writes it, in pieces the hash takes in turn. A request with
 * such an image cost the gateway 46–49 ms of CPU before, 35–37 ms after (a bare proxy: 17–18 ms).
 * `canonical-hash.test.ts` holds the result to SHA-256 of `safe-stable-stringify`'s text over a generated
 * corpus.
 *
 * For the JSON data a request body is (objects, arrays, strings, finite numbers, booleans, null; a value
 * `undefined` is left out of an object and is `null` in an array, as JSON.stringify does): not for class
 * instances, `toJSON` methods or cycles, which `safe-stable-stringify` would treat otherwise.
 */
import { createHash, hash, type Hash } from 'node:crypto';

/** What JSON escapes in a string: C0 controls, `"`, `\` and UTF-16 surrogates (the set `safe-stable-stringify` tests for). */
// eslint-disable-next-line no-control-regex -- the control characters are what is being looked for
const NEEDS_ESCAPE = /[\u0000-\u001f\u0022\u005c\ud800-\udfff]/;

/** Strings at least this long go to the hash on their own instead of into the pending text. */
const LONG_STRING = 4096;

/** The canonical text's SHA-256, in hex. */
export function canonicalSha256(value: Record<string, unknown> | readonly unknown[]): string {
  const text = new CanonicalText();
  text.write(value);
  return text.digest();
}

/**
 * Writes JSON text into a hash. Short pieces are joined first, since each `update` has a fixed cost; a
 * value without a long string is hashed in one call, the way that costs least (`crypto.hash`).
 */
class CanonicalText {
  private pending = '';
  /** Made at the first long string. */
  private hash: Hash | undefined;

  digest(): string {
    if (!this.hash) return hash('sha256', this.pending, 'hex');
    this.flush();
    return this.hash.digest('hex');
  }

  /** The hash, with what is pending written into it. */
  private flush(): Hash {
    this.hash ??= createHash('sha256');
    if (this.pending.length > 0) this.hash.update(this.pending);
    this.pending = '';
    return this.hash;
  }

  /** Writes `value`; false (writing nothing) for a value JSON has no text for. */
  write(value: unknown): boolean {
    switch (typeof value) {
      case 'string':
        this.string(value);
        return true;
      case 'number':
        this.pending += Number.isFinite(value) ? String(value) : 'null';
        return true;
      case 'boolean':
        this.pending += value ? 'true' : 'false';
        return true;
      case 'bigint':
        this.pending += String(value);
        return true;
      case 'object':
        if (value === null) this.pending += 'null';
        else if (Array.isArray(value)) this.array(value);
        else this.object(value as Record<string, unknown>);
        return true;
      default:
        return false;
    }
  }

  private string(value: string): void {
    const escaped = NEEDS_ESCAPE.test(value);
    if (value.length < LONG_STRING) {
      this.pending += escaped ? JSON.stringify(value) : `"${value}"`;
      return;
    }
    const into = this.flush();
    if (escaped) into.update(JSON.stringify(value));
    else into.update('"').update(value).update('"');
  }

  private array(values: readonly unknown[]): void {
    this.pending += '[';
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.pending += ',';
      if (!this.write(values[i])) this.pending += 'null';
    }
    this.pending += ']';
  }

  private object(value: Record<string, unknown>): void {
    this.pending += '{';
    let first = true;
    for (const key of Object.keys(value).sort()) {
      const member = value[key];
      if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
      if (!first) this.pending += ',';
      first = false;
      this.string(key);
      this.pending += ':';
      this.write(member);
    }
    this.pending += '}';
  }
}
