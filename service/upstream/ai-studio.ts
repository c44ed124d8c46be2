/** The Gemini Developer API (AI Studio): `{base}/{version}/models/{m}:{method}`, key in `x-goog-api-key`. */
import type { ApiVersion } from '../protocol/paths';
import type { ApiKeySource } from '../credentials/api-key-source';
import type { HttpTransport } from './http-transport';
import type { Upstream, UpstreamCall, UpstreamModelsQuery, UpstreamReply } from './types';
import { USER_AGENT, modelsQueryString } from './shared';

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

  call(call: UpstreamCall): Promise<UpstreamReply> {
    const collection = call.collection === 'tunedModels' ? 'tunedModels' : 'models';
    const query = call.method === 'streamGenerateContent' ? '?alt=sse' : '';
    const url = `${this.baseUrl}/${aiStudioVersion(call.version)}/${collection}/${call.model}:${call.method}${query}`;
    return this.transport.send(url, { method: 'POST', headers: this.headers(true), body: call.body, signal: call.signal });
  }

  models(query: UpstreamModelsQuery): Promise<UpstreamReply> {
    const collection = query.collection === 'tunedModels' ? 'tunedModels' : 'models';
    const resource = query.model ? `${collection}/${query.model}` : collection;
    const url = `${this.baseUrl}/${aiStudioVersion(query.version)}/${resource}${modelsQueryString(query)}`;
    return this.transport.send(url, { method: 'GET', headers: this.headers(false), signal: query.signal });
  }

  ready(): boolean {
    return this.keys.ready();
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private headers(withBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { 'x-goog-api-key': this.keys.current(), 'user-agent': USER_AGENT };
    if (withBody) headers['content-type'] = 'application/json';
    return headers;
  }
}
