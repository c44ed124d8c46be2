/**
 * `GET models` and `GET models/{id}`. The list is every model the upstream lists (all of its pages: OpenAI's
 * list has no paging), then the gateway's aliases and the configured OpenAI-style names, which callers may
 * send as `model` too (`owned_by: "gemini-gateway"`). Gemini has no creation time, so `created` is when the
 * gateway started. Like the Gemini routes' list, it is not filtered by the caller's model allow-list.
 */
import type { Request, Response } from 'express';
import { modelsToOpenAI, modelToOpenAI, type OpenAIModel } from '../../openai';
import { readUnary, rejectionOf } from '../../upstream/read-reply';
import { GoogleApiError } from '../../protocol/errors';
import { credentialsOf } from '../gemini-routes';
import type { OpenAIRouteContext } from '../openai-routes';
import { mappingHeaders, targetModel } from './http';

/** Gemini pages hold at most 1000 models; this many pages is far more than any project has. */
const MAX_PAGES = 20;
const GATEWAY_OWNER = 'gemini-gateway';

async function upstreamJson(options: OpenAIRouteContext, query: { model?: string; pageToken?: string }, signal: AbortSignal): Promise<Record<string, unknown>> {
  const reply = await options.modelsUpstream.models({ version: 'v1beta', dialect: 'ai-studio', collection: 'models', model: query.model, pageSize: query.model ? undefined : '1000', pageToken: query.pageToken, signal });
  if (reply.status < 200 || reply.status >= 300) throw await rejectionOf(reply);
  try {
    const value = JSON.parse((await readUnary(reply)).toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new GoogleApiError(502, 'The upstream models answer is not a JSON object.');
}

function gatewayNames(options: OpenAIRouteContext): string[] {
  return [...Object.keys(options.aliases), ...Object.keys(options.modelMap)];
}

export async function serveModelList(options: OpenAIRouteContext, req: Request, res: Response, signal: AbortSignal): Promise<void> {
  options.authenticate(credentialsOf(req, req.query, options.identityHeader));
  const data: OpenAIModel[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await upstreamJson(options, { pageToken }, signal);
    data.push(...modelsToOpenAI(answer, { created: options.startedAt }).data);
    pageToken = typeof answer.nextPageToken === 'string' && answer.nextPageToken.length > 0 ? answer.nextPageToken : undefined;
    if (!pageToken) break;
  }
  const seen = new Set(data.map((m) => m.id));
  for (const id of gatewayNames(options)) {
    if (seen.has(id)) continue;
    seen.add(id);
    data.push({ id, object: 'model', created: options.startedAt, owned_by: GATEWAY_OWNER });
  }
  res.status(200).json({ object: 'list', data });
}

export async function serveModel(options: OpenAIRouteContext, req: Request, res: Response, signal: AbortSignal): Promise<void> {
  options.authenticate(credentialsOf(req, req.query, options.identityHeader));
  const id = String(req.params.id ?? '');
  const target = targetModel(id, options.modelMap, null);
  if (target.mappedFrom !== undefined || Object.hasOwn(options.aliases, target.model)) {
    res.status(200).set(mappingHeaders(target)).json({ id: target.mappedFrom ?? target.model, object: 'model', created: options.startedAt, owned_by: GATEWAY_OWNER });
    return;
  }
  const model = modelToOpenAI(await upstreamJson(options, { model: target.model }, signal), { created: options.startedAt });
  if (!model) throw new GoogleApiError(502, 'The upstream model answer has no name.');
  res.status(200).json(model);
}
