/**
 * The audit record's prompt fingerprint: an HMAC-SHA256 of the prompt's SHA-256 under a secret key. A plain
 * hash of a short prompt can be reversed by trying likely prompts; without the key that is not possible,
 * while the same prompt still gets the same fingerprint wherever the key is the same.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export type PromptHmac = (promptSha256: string) => string;

/**
 * Fingerprints of recent prompts are kept: a repeated prompt (every cache hit) then costs a lookup instead
 * of an HMAC, whose native object cost 3–5 µs of CPU per request in place (about 4% of a cache hit).
 */
const REMEMBERED_PROMPTS = 4096;

/** `key` unset: a random key, so fingerprints match only within this process. */
export function promptHmacWith(key: string | undefined): PromptHmac {
  const secret = key ?? randomBytes(32);
  const remembered = new LRUCache<string, string>({ max: REMEMBERED_PROMPTS });
  return (promptSha256) => {
    let fingerprint = remembered.get(promptSha256);
    if (fingerprint === undefined) {
      fingerprint = createHmac('sha256', secret).update(promptSha256).digest('hex');
      remembered.set(promptSha256, fingerprint);
    }
    return fingerprint;
  };
}
