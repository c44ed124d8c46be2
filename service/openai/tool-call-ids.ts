/**
 * Tool call ids, and how a Gemini `thoughtSignature` survives the OpenAI round trip.
 *
 * Gemini 3 rejects a multi-turn function-calling request unless each function call the model made comes
 * back with the `thoughtSignature` it carried. OpenAI's format has no such field, so the signature rides
 * inside the tool call id, the one field every OpenAI client (the SDK's stream helpers, LangChain, hand-written
 * loops) echoes back verbatim, because the `tool` message must name it:
 *
 *     call_<12 hex of sha256(responseId)>_<candidate>_<n>            without a signature
 *     call_<12 hex of sha256(responseId)>_<candidate>_<n>__thought__<signature exactly as Gemini sent it>
 *
 * The prefix never contains `__thought__`, so splitting at its first occurrence is unambiguous whatever the
 * signature holds. Clients written for Google's own OpenAI endpoint send the signature in
 * `tool_calls[i].extra_content.google.thought_signature` instead: that is read too, and wins when both exist.
 */
import { createHash } from 'node:crypto';

export const THOUGHT_SEPARATOR = '__thought__';

/** The id of the `callIndex`-th function call of candidate `candidateIndex` in the response `responseKey`. */
export function toolCallId(responseKey: string, candidateIndex: number, callIndex: number, thoughtSignature?: string): string {
  const hash = createHash('sha256').update(responseKey).digest('hex').slice(0, 12);
  const base = `call_${hash}_${candidateIndex}_${callIndex}`;
  return thoughtSignature ? `${base}${THOUGHT_SEPARATOR}${thoughtSignature}` : base;
}

/** The signature a tool call id carries, if any. Ids from elsewhere (OpenAI's `call_…`) carry none. */
export function thoughtSignatureFromId(id: string): string | undefined {
  const at = id.indexOf(THOUGHT_SEPARATOR);
  if (at < 0) return undefined;
  const signature = id.slice(at + THOUGHT_SEPARATOR.length);
  return signature.length > 0 ? signature : undefined;
}
