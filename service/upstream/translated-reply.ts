/**
 * One reply made from the replies to a translated call (`embedding-dialects.ts`): the upstream's own
 * refusal or failure when any call failed (never a partial answer), else the JSON `assemble` builds from
 * their parsed bodies, in order.
 */
import { Readable } from 'node:stream';
import { GoogleApiError } from '../protocol/errors';
import { JSON_CONTENT_TYPE } from '../protocol/stream-format';
import { readUnary } from './read-reply';
import type { UpstreamReply } from './types';

function parseAnswer(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new GoogleApiError(502, 'The upstream answered a translated call with a body that is not JSON.');
  }
}

export async function translatedReply(sent: Array<Promise<UpstreamReply>>, assemble: (answers: unknown[]) => Record<string, unknown>): Promise<UpstreamReply> {
  const settled = await Promise.allSettled(sent);
  const replies = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  const refusal = replies.find((reply) => reply.status < 200 || reply.status >= 300);
  if (failure || refusal) {
    for (const reply of replies) if (reply !== refusal) reply.discard();
    if (failure) throw failure.reason;
    return refusal as UpstreamReply;
  }
  const answers = await Promise.all(replies.map(async (reply) => parseAnswer(await readUnary(reply))));
  const body = Buffer.from(JSON.stringify(assemble(answers)));
  return { status: 200, contentType: JSON_CONTENT_TYPE, retryAfter: undefined, body: Readable.from([body]), discard: () => undefined };
}
