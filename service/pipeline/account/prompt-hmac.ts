/**
 * The audit record's prompt fingerprint: an HMAC-SHA256 of the prompt's SHA-256 under a secret key. A plain
 * hash of a short prompt can be reversed by trying likely prompts; without the key that is not possible,
 * while the same prompt still gets the same fingerprint wherever the key is the same.
 */
import { createHmac, randomBytes } from 'node:crypto';

export type PromptHmac = (promptSha256: string) => string;

/**
 * Fingerprints of recent prompts are kept: a repeated prompt (every cache hit) then costs a lookup instead
 * of an HMAC, whose native object cost 3–5 µs of CPU per request in place (about 4% of a cache hit). A
 * plain map emptied when full, not an LRU: the LRU's bookkeeping on every new prompt cost a cache miss
 * about 3 µs in a kernel profile, and the hot prompts come back after an emptying soon enough.
 */
const REMEMBERED_PROMPTS = 1024;

/** `key` unset: a random key, so fingerprints match only within this process. */
export function promptHmacWith(key: string | undefined): PromptHmac {
  const secret = key ?? randomBytes(32);
  const remembered = new Map<string, string>();
  return (promptSha256) => {
    let fingerprint = remembered.get(promptSha256);
    if (fingerprint === undefined) {
      fingerprint = createHmac('sha256', secret).update(promptSha256).digest('hex');
      if (remembered.size >= REMEMBERED_PROMPTS) remembered.clear();
      remembered.set(promptSha256, fingerprint);
    }
    return fingerprint;
  };
}
