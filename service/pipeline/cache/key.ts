/**
 * The cache key: SHA-256 over the canonical request (stable key order), so two requests that mean the same
 * thing share an entry whatever order their JSON fields came in. The prompt hash is computed on the way;
 * the audit record keys it with a secret (`account/prompt-hmac.ts`) before it is logged.
 */
import { hash } from 'node:crypto';
import stringify from 'safe-stable-stringify';

/** The request fields that change the answer. Everything else (e.g. unknown client extras) is ignored. */
const ANSWER_FIELDS = ['tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent', 'requests', 'content', 'taskType', 'title', 'outputDimensionality'];

const sha256 = (text: string): string => hash('sha256', text, 'hex');

export interface RequestFingerprint {
  promptSha256: string;
  cacheKey: string;
}

export function fingerprint(model: string, method: string, scope: string, body: Record<string, unknown>): RequestFingerprint {
  const promptSha256 = sha256(stringify({ contents: body.contents ?? null, systemInstruction: body.systemInstruction ?? null }) ?? '');
  const rest: Record<string, unknown> = {};
  for (const field of ANSWER_FIELDS) if (body[field] !== undefined) rest[field] = body[field];
  const cacheKey = sha256(`${model}\n${method}\n${scope}\n${promptSha256}\n${stringify(rest) ?? ''}`);
  return { promptSha256, cacheKey };
}
