/**
 * The cache key: SHA-256 over the canonical request (stable key order), so two requests that mean the same
 * thing share an entry whatever order their JSON fields came in. Every field of the body is in the key:
 * a field that does not change the answer only costs a hit, while one left out would serve the answer to
 * another request (as it once did for Vertex's `predict` instances and `embedContentConfig`). The prompt
 * hash is computed on the way; the audit record keys it with a secret (`account/prompt-hmac.ts`) before
 * it is logged.
 */
import { hash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { ModelCallPath } from '../../protocol/paths';
import { canonicalSha256 } from './canonical-hash';

const sha256 = (text: string): string => hash('sha256', text, 'hex');

export interface RequestFingerprint {
  promptSha256: string;
  cacheKey: string;
}

/**
 * `path`: the collection (a tuned model may share its id with a base model) and the caller's dialect, since
 * an answer can differ by dialect (translated embeddings, citation fields).
 */
export function fingerprint(model: string, path: Pick<ModelCallPath, 'collection' | 'dialect' | 'method'>, scope: string, body: Record<string, unknown>): RequestFingerprint {
  const { contents, systemInstruction, ...rest } = body;
  // The prompt is nearly all of a large request: its text is hashed without being written out (canonical-hash.ts).
  const promptSha256 = canonicalSha256({ contents: contents ?? null, systemInstruction: systemInstruction ?? null });
  const cacheKey = sha256(`${model}\n${path.collection}\n${path.dialect}\n${path.method}\n${scope}\n${promptSha256}\n${stringify(rest) ?? ''}`);
  return { promptSha256, cacheKey };
}
