/**
 * Media named by URI (`fileData`: a video in Cloud Storage, a file from the Files API) is billed by its
 * length, which the gateway cannot know: an hour of video is about 950K prompt tokens, and the estimate
 * made from the request alone is the 258 of an image. Admitted on that estimate, such calls passed a tpm
 * limit or a budget many times over before their usage was settled. So the prompt of a generating
 * request with such media (anything but images, which are 258 tokens at any size) is counted by Gemini
 * first (`countTokens`, which is free), on the model the request is routed to, and that count is what
 * routing, admission and accounting use.
 *
 * A count that fails (the upstream refuses it, is down, or takes longer than `COUNT_DEADLINE_MS`) leaves
 * the estimate in place: the request is not refused for want of a count, and its usage is settled with
 * Gemini's real figures either way. A request answered from the cache pays for the count too: the cache
 * is looked up in the same step as admission, which needs the count.
 */
import type { Content } from '../protocol/content';
import { cancellationOf } from '../protocol/errors';
import type { ModelCallPath } from '../protocol/paths';
import type { UpstreamCaller } from './call';
import type { RouteDecision } from './route';

const GENERATING = new Set(['generateContent', 'streamGenerateContent']);
/** Longest a count may take: it is only a better estimate, and the call itself still has its whole deadline after it. */
export const COUNT_DEADLINE_MS = 10_000;
/** What countTokens counts besides `contents` (the fields of a request that reach the model as input). */
const COUNTED_FIELDS = ['systemInstruction', 'tools'] as const;

/** Media by URI whose size the estimate cannot know: anything but an image, which is 258 tokens whatever its size. */
function namesLongMedia(contents: readonly Content[]): boolean {
  return contents.some((content) => content?.parts?.some((part) => part?.fileData !== undefined && part.inlineData === undefined && !part.fileData.mimeType?.startsWith('image/')));
}

/** Whether the prompt holds media only Gemini can size: a generating request with `fileData` other than an image. */
export function needsCount(method: string, body: Record<string, unknown>): boolean {
  if (!GENERATING.has(method)) return false;
  const contents = Array.isArray(body.contents) ? (body.contents as Content[]) : [];
  const system = body.systemInstruction as Content | undefined;
  return namesLongMedia(system ? [...contents, system] : contents);
}

/** The countTokens body for `model`, in the caller's dialect (the upstream translates it for its own). */
function countBody(path: ModelCallPath, body: Record<string, unknown>, model: string): Buffer {
  const request: Record<string, unknown> = { contents: body.contents };
  for (const field of COUNTED_FIELDS) if (body[field] !== undefined) request[field] = body[field];
  return Buffer.from(JSON.stringify(path.dialect === 'vertex' ? request : { generateContentRequest: { model: `models/${model}`, ...request } }));
}

function totalTokensOf(answer: Buffer): number | undefined {
  try {
    const total = (JSON.parse(answer.toString('utf8')) as { totalTokens?: unknown }).totalTokens;
    return typeof total === 'number' && Number.isFinite(total) && total >= 0 ? total : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gemini's count of a request's prompt on the model it is routed to; `undefined` when the count failed.
 * Throws only when the caller left (or the gateway is shutting down) meanwhile.
 */
export async function countPrompt(
  callUpstream: UpstreamCaller,
  path: ModelCallPath,
  body: Record<string, unknown>,
  route: RouteDecision,
  signal: AbortSignal,
  deadlineMs = COUNT_DEADLINE_MS,
): Promise<number | undefined> {
  try {
    const result = await callUpstream({
      // The routed model alone: a fallback's count would size another model's prompt.
      route: { ...route, fallbacks: [] },
      version: path.version,
      dialect: path.dialect,
      collection: path.collection,
      method: 'countTokens',
      bodyFor: (model) => countBody(path, body, model),
      signal: AbortSignal.any([signal, AbortSignal.timeout(deadlineMs)]),
    });
    return result.answer.kind === 'unary' ? totalTokensOf(result.answer.body) : undefined;
  } catch {
    if (signal.aborted) throw cancellationOf(signal);
    return undefined;
  }
}
