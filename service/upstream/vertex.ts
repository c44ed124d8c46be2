/**
 * Vertex AI: Google's publisher models at
 * `{base}/{version}/projects/{p}/locations/{l}/publishers/google/models/{m}:{method}`, and tuned or dedicated
 * models at `.../endpoints/{id}:{method}`, with an OAuth bearer token from ADC. The configured endpoint
 * (GATEWAY_VERTEX_ENDPOINT) serves its model names and its own id, at its own project and region. The
 * Gemini API's embedding methods, which Vertex lacks, are translated (`embedding-dialects.ts`), and its
 * countTokens wrapper unwrapped (`count-tokens-dialects.ts`); answers to it carry its citation field name
 * (`citation-dialects.ts`) and its model names (`model-list-dialects.ts`).
 */
import type { VertexEndpoint } from '../config/load';
import type { ApiVersion } from '../protocol/paths';
import { tunedModelsNotOnVertex } from '../protocol/errors';
import type { AccessTokenSource } from '../credentials/access-token-source';
import type { HttpTransport } from './http-transport';
import type { Upstream, UpstreamCall, UpstreamModelsQuery, UpstreamReply } from './types';
import { GENERATE_METHODS, USER_AGENT, modelsQueryString, parseBody } from './shared';
import { citationsForGeminiApi } from './citation-dialects';
import { countTokensForVertex } from './count-tokens-dialects';
import { modelsForGeminiApi } from './model-list-dialects';
import { planVertexEmbeddings } from './embedding-dialects';
import { translatedReply } from './translated-reply';

/** Vertex serves `v1` and `v1beta1`; the AI Studio betas map to `v1beta1`. */
function vertexVersion(version: ApiVersion): ApiVersion {
  return version === 'v1' ? 'v1' : 'v1beta1';
}

export interface VertexTarget {
  baseUrl: string;
  project: string;
  location: string;
  endpoint?: VertexEndpoint;
}

export class VertexUpstream implements Upstream {
  readonly backend = 'vertex' as const;
  private tokenLoaded = false;

  constructor(
    private readonly target: VertexTarget,
    private readonly tokens: AccessTokenSource,
    private readonly transport: HttpTransport,
  ) {}

  async call(call: UpstreamCall): Promise<UpstreamReply> {
    const geminiApiDialect = call.dialect === 'ai-studio';
    if ((call.method === 'embedContent' || call.method === 'batchEmbedContents') && geminiApiDialect) return this.embed(call, call.method);
    const query = call.method === 'streamGenerateContent' ? '?alt=sse' : '';
    const url = `${this.resourceUrl(call)}:${call.method}${query}`;
    const unwrapped = call.method === 'countTokens' && geminiApiDialect ? countTokensForVertex(parseBody(call.body)) : undefined;
    const body = unwrapped ? Buffer.from(JSON.stringify(unwrapped)) : call.body;
    const reply = await this.transport.send(url, { method: 'POST', headers: await this.headers(true), body, streamed: call.method === 'streamGenerateContent', signal: call.signal, timeoutMs: call.timeoutMs });
    return geminiApiDialect && GENERATE_METHODS.has(call.method) ? { ...reply, rewrite: citationsForGeminiApi } : reply;
  }

  /** A Gemini API embedding call, as the Vertex calls that answer it (`embedding-dialects.ts`), sent together. */
  private async embed(call: UpstreamCall, method: 'embedContent' | 'batchEmbedContents'): Promise<UpstreamReply> {
    const plan = planVertexEmbeddings(method, call.model, parseBody(call.body));
    const url = `${this.resourceUrl(call)}:${plan.method}`;
    const headers = await this.headers(true);
    const sent = plan.bodies.map((body) => this.transport.send(url, { method: 'POST', headers, body: Buffer.from(JSON.stringify(body)), signal: call.signal, timeoutMs: call.timeoutMs }));
    return translatedReply(sent, plan.answer);
  }

  /** The configured endpoint for its models and its own id (in its region); otherwise the project and location's resource. */
  private resourceUrl(call: UpstreamCall): string {
    const { baseUrl, project, location, endpoint } = this.target;
    const version = vertexVersion(call.version);
    if (endpoint && (call.collection === 'endpoints' ? call.model === endpoint.id : endpoint.models.includes(call.model))) {
      return `${endpoint.baseUrl}/${version}/${endpoint.name}`;
    }
    const resource = call.collection === 'endpoints' ? `endpoints/${call.model}` : `publishers/google/models/${call.model}`;
    return `${baseUrl}/${version}/projects/${project}/locations/${location}/${resource}`;
  }

  async models(query: UpstreamModelsQuery): Promise<UpstreamReply> {
    if (query.collection === 'tunedModels') throw tunedModelsNotOnVertex(query.model ? `tunedModels/${query.model}` : 'tunedModels');
    // Base models are listed and read without a project prefix.
    const resource = query.model ? `publishers/google/models/${query.model}` : 'publishers/google/models';
    const url = `${this.target.baseUrl}/${vertexVersion(query.version)}/${resource}${modelsQueryString(query)}`;
    const reply = await this.transport.send(url, { method: 'GET', headers: await this.headers(false), signal: query.signal });
    return query.dialect === 'ai-studio' && query.collection === 'models' ? { ...reply, rewrite: modelsForGeminiApi } : reply;
  }

  ready(): boolean {
    return this.tokenLoaded;
  }

  credentialId(): string {
    return 'adc';
  }

  /** Fetches a first token so readiness reflects whether ADC works. */
  async start(): Promise<void> {
    await this.tokens.token();
    this.tokenLoaded = true;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private async headers(withBody: boolean): Promise<Record<string, string>> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.tokens.token()}`, 'user-agent': USER_AGENT };
    this.tokenLoaded = true;
    if (withBody) headers['content-type'] = 'application/json';
    return headers;
  }
}
