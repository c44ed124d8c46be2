/**
 * The audit record's prompt fingerprint: an HMAC-SHA256 of the prompt's SHA-256 under a secret key. A plain
 * hash of a short prompt can be reversed by trying likely prompts; without the key that is not possible,
 * while the same prompt still gets the same fingerprint wherever the key is the same.
 */
import { hash, randomBytes } from 'node:crypto';

export type PromptHmac = (promptSha256: string) => string;

/** SHA-256's block size, which HMAC pads its key to. */
const BLOCK_BYTES = 64;

/**
 * HMAC-SHA256 (RFC 2104) of an ASCII message, from two one-shot hashes with the key's pads made once.
 * `createHmac` gives the same bytes (a test holds them equal) but allocates a native object per call and
 * looks its digest up by name: a microbenchmark put that at 1 µs, while A/Bs of whole gateways put the
 * fingerprint at about 10 µs per cache miss with it and about 6 µs this way.
 */
function hmacSha256(key: Buffer): (message: string) => string {
  const padded = key.length > BLOCK_BYTES ? hash('sha256', key, 'buffer') : key;
  const inner = Buffer.alloc(BLOCK_BYTES, 0x36);
  const outer = Buffer.alloc(BLOCK_BYTES, 0x5c);
  for (let i = 0; i < padded.length; i++) {
    inner[i] = (inner[i] ?? 0) ^ (padded[i] ?? 0);
    outer[i] = (outer[i] ?? 0) ^ (padded[i] ?? 0);
  }
  // latin1 ('binary') maps each byte to one character and back, so pads, digest and an ASCII message join
  // losslessly as strings; the inputs then come from Buffer's pool and no digest needs a Buffer of its own.
  const innerPad = inner.toString('latin1');
  const outerPad = outer.toString('latin1');
  return (message) => {
    const innerDigest = hash('sha256', Buffer.from(innerPad + message, 'latin1'), 'binary');
    return hash('sha256', Buffer.from(outerPad + innerDigest, 'latin1'), 'hex');
  };
}

/**
 * Fingerprints of recent prompts are kept: a repeated prompt (every cache hit) then costs a lookup instead
 * of an HMAC. A plain map emptied when full, not an LRU: the LRU's bookkeeping on every new prompt cost a
 * cache miss about 3 µs in a kernel profile, and the hot prompts come back after an emptying soon enough.
 */
const REMEMBERED_PROMPTS = 1024;

/** `key` unset: a random key, so fingerprints match only within this process. */
export function promptHmacWith(key: string | undefined): PromptHmac {
  const hmac = hmacSha256(key === undefined ? randomBytes(32) : Buffer.from(key, 'utf8'));
  const remembered = new Map<string, string>();
  return (promptSha256) => {
    let fingerprint = remembered.get(promptSha256);
    if (fingerprint === undefined) {
      fingerprint = hmac(promptSha256);
      if (remembered.size >= REMEMBERED_PROMPTS) remembered.clear();
      remembered.set(promptSha256, fingerprint);
    }
    return fingerprint;
  };
}
