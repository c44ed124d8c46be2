/**
 * The Gemini Developer API (AI Studio): `{base}/{version}/models/{m}:{method}`, key in `x-goog-api-key`.
 * Vertex's embedding methods, which it lacks, are translated (`embedding-dialects.ts`), Vertex's
 * countTokens fields wrapped as a request (`count-tokens-dialects.ts`), and answers to a Vertex caller
 * carry Vertex's citation field name (`citation-dialects.ts`) and model names (`model-list-dialects.ts`).
 */
import { Readable } from 'node:stream';
import { GoogleApiError } from '../protocol/errors';
import type { ApiVersion } from '../protocol/paths';
import type { ApiKeySource } from '../credentials/api-key-source';
import type { HttpTransport } from './http-transport';
import type { Upstream, UpstreamCall, UpstreamModelsQuery, UpstreamReply } from './types';
import { isEmbeddingModel, planGeminiApiEmbeddings } from './embedding-dialects';
import { citationsForVertex } from './citation-dialects';
import { countTokensForGeminiApi } from './count-tokens-dialects';
import { modelsForVertex } from './model-list-dialects';
import { GENERATE_METHODS, USER_AGENT, keyFingerprint, modelsQueryString, parseBody } from './shared';
import { translatedReply } from './translated-reply';

const MAX_ERROR_BYTES = 64 * 1024;

/** Reads a (small) error reply so it can be inspected and still be handed on unchanged. */
async function bufferReply(reply: UpstreamReply): Promise<{ reply: UpstreamReply; text: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of reply.body) {
    size += chunk.length;
    if (size > MAX_ERROR_BYTES) break;
    chunks.push(Buffer.from(chunk));
  }
  const body = Buffer.concat(chunks);
  return { reply: { ...reply, body: Readable.from([body]), discard: () => undefined }, text: body.toString('utf8') };
}

/** Google answers a bad key with 400 API_KEY_INVALID, a revoked or restricted one with 401/403. */
function isKeyRejection({ reply, text }: { reply: UpstreamReply; text: string }): boolean {
  return reply.status === 401 || reply.status === 403 || text.includes('API_KEY_INVALID');
}

/** AI Studio has no `v1beta1`; a Vertex-dialect request is served by the matching beta. */
function aiStudioVersion(version: ApiVersion): ApiVersion {
  return version === 'v1beta1' ? 'v1beta' : version;
}

export class AiStudioUpstream implements Upstream {
  readonly backend = 'ai-studio' as const;

  constructor(
    private readonly baseUrl: string,
    private readonly keys: ApiKeySource,
    private readonly transport: HttpTransport,
  ) {}

  async call(call: UpstreamCall): Promise<UpstreamReply> {
    if (call.method === 'computeTokens') {
      // A 4xx: the caller asked for what this deployment cannot do; a 5xx would count against the gateway's availability.
      throw new GoogleApiError(400, 'computeTokens is a Vertex AI method and this gateway calls AI Studio (the Gemini API), which has none; countTokens gives the number of tokens.', { status: 'FAILED_PRECONDITION' });
    }
    const vertexDialect = call.dialect === 'vertex';
    if (vertexDialect && ((call.method === 'predict' && isEmbeddingModel(call.model)) || call.method === 'embedContent')) {
      return this.embed(call, call.method);
    }
    const collection = call.collection === 'tunedModels' ? 'tunedModels' : 'models';
    const query = call.method === 'streamGenerateContent' ? '?alt=sse' : '';
    const url = `${this.baseUrl}/${aiStudioVersion(call.version)}/${collection}/${call.model}:${call.method}${query}`;
    const wrapped = call.method === 'countTokens' && vertexDialect ? countTokensForGeminiApi(call.model, parseBody(call.body)) : undefined;
    const body = wrapped ? Buffer.from(JSON.stringify(wrapped)) : call.body;
    const send = (key: string): Promise<UpstreamReply> => this.transport.send(url, { method: 'POST', headers: this.headers(true, key), body, streamed: call.method === 'streamGenerateContent', signal: call.signal, timeoutMs: call.timeoutMs });
    const reply = await this.withKeyRetry(send);
    return vertexDialect && GENERATE_METHODS.has(call.method) ? { ...reply, rewrite: citationsForVertex } : reply;
  }

  /** Sends with the current key; a refused key may have just been rotated: re-read it and try once with the other one. */
  private async withKeyRetry(send: (key: string) => Promise<UpstreamReply>): Promise<UpstreamReply> {
    const key = this.keys.current();
    const reply = await send(key);
    if (reply.status !== 400 && reply.status !== 401 && reply.status !== 403) return reply;
    const buffered = await bufferReply(reply);
    if (!isKeyRejection(buffered)) return buffered.reply;
    const alternative = await this.keys.alternativeTo(key);
    return alternative === undefined ? buffered.reply : send(alternative);
  }

  /** A Vertex embedding call, as the Gemini API calls that answer it (`embedding-dialects.ts`), sent together. */
  private embed(call: UpstreamCall, method: 'predict' | 'embedContent'): Promise<UpstreamReply> {
    const plan = planGeminiApiEmbeddings(method, call.model, parseBody(call.body));
    const sent = plan.bodies.map((body) => this.call({ ...call, dialect: 'ai-studio', collection: 'models', method: plan.method, body: Buffer.from(JSON.stringify(body)) }));
    return translatedReply(sent, plan.answer);
  }

  async models(query: UpstreamModelsQuery): Promise<UpstreamReply> {
    const collection = query.collection === 'tunedModels' ? 'tunedModels' : 'models';
    const resource = query.model ? `${collection}/${query.model}` : collection;
    const url = `${this.baseUrl}/${aiStudioVersion(query.version)}/${resource}${modelsQueryString(query)}`;
    const reply = await this.withKeyRetry((key) => this.transport.send(url, { method: 'GET', headers: this.headers(false, key), signal: query.signal }));
    return query.dialect === 'vertex' ? { ...reply, rewrite: modelsForVertex } : reply;
  }

  ready(): boolean {
    return this.keys.ready();
  }

  credentialId(): string {
    return this.keys.ready() ? keyFingerprint(this.keys.current()) : 'none';
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private headers(withBody: boolean, key = this.keys.current()): Record<string, string> {
    const headers: Record<string, string> = { 'x-goog-api-key': key, 'user-agent': USER_AGENT };
    if (withBody) headers['content-type'] = 'application/json';
    return headers;
  }
}
