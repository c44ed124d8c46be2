/**
 * The audit record's prompt fingerprint: an HMAC-SHA256 of the prompt's SHA-256 under a secret key. A plain
 * hash of a short prompt can be reversed by trying likely prompts; without the key that is not possible,
 * while the same prompt still gets the same fingerprint wherever the key is the same.
 */
import { createHmac, randomBytes } from 'node:crypto';

export type PromptHmac = (promptSha256: string) => string;

/** `key` unset: a random key, so fingerprints match only within this process. */
export function promptHmacWith(key: string | undefined): PromptHmac {
  const secret = key ?? randomBytes(32);
  return (promptSha256) => createHmac('sha256', secret).update(promptSha256).digest('hex');
}
