/**
 * What every OpenAI-compatible route shares: reading the JSON body (every way it can be wrong is an
 * OpenAI-shaped 4xx), the model name a request asks for (mapped OpenAI names, checked ids), the signal that
 * fires when the client leaves, and writing errors in OpenAI's shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GoogleApiError } from '../../protocol/errors';
import { parseGeminiPath, type ModelCallPath, type ModelMethod } from '../../protocol/paths';
import { normalizeModelName, OpenAIRequestError, toOpenAIError } from '../../openai';
import { jsonDepthExceeds, MAX_JSON_DEPTH, takeBody } from '../body';

const JSON_TYPES = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** The response header naming an applied OpenAI-name mapping: `gpt-4o-mini -> gemini-3.5-flash-lite`. */
export const MODEL_MAPPING_HEADER = 'x-gateway-model-mapping';
/** The response header listing request fields that had no effect (`logprobs, user`). */
export const IGNORED_PARAMS_HEADER = 'x-gateway-ignored-params';

/** The JSON object a POST route was sent (taken off the request: see `takeBody`). A declared non-JSON content type is a 415; a missing one is read as JSON. */
export function readJsonObject(req: IncomingMessage & { body?: unknown }): Record<string, unknown> {
  const type = req.headers['content-type'];
  if (type !== undefined && !JSON_TYPES.test(type)) {
    throw new OpenAIRequestError(`Content-Type ${JSON.stringify(type.slice(0, 100))} is not supported; send application/json.`, {
      status: 415,
      code: 'unsupported_media_type',
    });
  }
  const body = takeBody(req);
  const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  if (bytes.length === 0) throw new OpenAIRequestError('The request has no body; send a JSON object.', { code: 'invalid_json' });
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    const reason = error instanceof RangeError ? 'is nested too deeply' : 'is not valid JSON';
    throw new OpenAIRequestError(`We could not parse the JSON body of your request: the body ${reason}.`, { code: 'invalid_json' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OpenAIRequestError('The request body must be a JSON object.', { code: 'invalid_type' });
  }
  if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) {
    throw new OpenAIRequestError(`The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`, { code: 'invalid_json' });
  }
  return value as Record<string, unknown>;
}

/** The model a request names, as the caller wrote it and as the gateway will call it. */
export interface TargetModel {
  /** What the caller asked for (`gpt-4o-mini`, `fast`, `gemini-3.5-flash`), reported back as `model`. */
  requested: string;
  /** The Gemini model id or gateway alias the pipeline is asked for. */
  model: string;
  /** Set when an OpenAI-style name was mapped. */
  mappedFrom?: string;
}

const modelNotFound = (name: string, param: string | null): OpenAIRequestError =>
  new OpenAIRequestError(`The model '${name.slice(0, 100)}' does not exist or you do not have access to it.`, { status: 404, code: 'model_not_found', param });

/**
 * Maps the requested name (a `models/` prefix dropped) through the configured OpenAI names, then checks it
 * is a well-formed model id: it becomes part of the upstream URL, so anything odd is a 404 here.
 */
export function targetModel(requested: string, modelMap: Readonly<Record<string, string>>, param: string | null = 'model'): TargetModel {
  const name = normalizeModelName(requested);
  const mapped = Object.hasOwn(modelMap, name) ? modelMap[name] : undefined;
  const model = mapped ?? name;
  let valid = false;
  try {
    const path = parseGeminiPath(`/v1beta/models/${model}`);
    valid = path?.kind === 'get' && path.model === model;
  } catch {
    valid = false;
  }
  if (!valid) throw modelNotFound(requested, param);
  return mapped === undefined ? { requested, model } : { requested, model, mappedFrom: name };
}

const MAX_HEADER_TEXT = 512;

/** Text from a request made safe for a response header: printable ASCII only (anything else is `?`), bounded. */
export function headerText(text: string): string {
  return text.slice(0, MAX_HEADER_TEXT).replace(/[^\x20-\x7e]/g, '?');
}

export function mappingHeaders(target: TargetModel): Record<string, string> {
  return target.mappedFrom === undefined ? {} : { [MODEL_MAPPING_HEADER]: headerText(`${target.mappedFrom} -> ${target.model}`) };
}

/** The `x-gateway-ignored-params` header for the fields a request sent to no effect, if any. */
export function ignoredHeaders(fields: readonly string[]): Record<string, string> {
  const text = [...new Set(fields)].join(', ');
  return text.length === 0 ? {} : { [IGNORED_PARAMS_HEADER]: headerText(text) };
}

export function callPath(model: string, method: ModelMethod): ModelCallPath {
  return { kind: 'call', version: 'v1beta', dialect: 'ai-studio', collection: 'models', model, method };
}

const MODEL_HINT =
  " The gateway serves Gemini model ids (GET /v1beta/openai/models lists them), its aliases, and the OpenAI-style names its operator mapped in GATEWAY_OPENAI_MODELS.";
const KEY_HINT = " Pass your team's gateway key as the OpenAI API key (it is sent as Authorization: Bearer <key>).";

interface HttpError {
  status?: unknown;
  expose?: unknown;
  type?: unknown;
}

/**
 * Express's body reader reports some client faults (a body that does not inflate as its Content-Encoding
 * says) as a bare 4xx with no `type`; `toOpenAIError` would call that a 500. It is the client's fault.
 */
function fromBodyReader(error: unknown): OpenAIRequestError | undefined {
  if (typeof error !== 'object' || error === null || error instanceof GoogleApiError || error instanceof OpenAIRequestError) return undefined;
  const { status, expose, type } = error as HttpError;
  if (type !== undefined || expose !== true || typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  return new OpenAIRequestError('The request body could not be read; check its Content-Encoding and Content-Length.', { status: 400, code: 'invalid_body' });
}

/** Any error as an OpenAI error response, with a hint where an OpenAI user needs one. */
export function openAIErrorOf(error: unknown): ReturnType<typeof toOpenAIError> {
  const out = toOpenAIError(fromBodyReader(error) ?? error);
  const detail = out.body.error;
  if (detail.code === 'model_not_found' && !(error instanceof OpenAIRequestError)) detail.message += MODEL_HINT;
  if (out.status === 401 && error instanceof GoogleApiError && /missing an API key/i.test(error.message)) detail.message = `Missing API key.${KEY_HINT}`;
  return out;
}

/**
 * A JSON answer on Node's own response, typed as Express types it (`application/json; charset=utf-8`):
 * the call lane answers without Express, and its answers must read as the routes' always have.
 */
export function sendJson(res: ServerResponse, status: number, headers: Readonly<Record<string, string>>, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.statusCode = status;
  for (const [name, header] of Object.entries(headers)) res.setHeader(name, header);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', body.length);
  res.end(body);
}

export function sendOpenAIError(res: ServerResponse, error: unknown): void {
  // Already answered (a shutdown's drain time ended it): nothing more to say.
  if (res.writableEnded) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, headers, body } = openAIErrorOf(error);
  sendJson(res, status, headers, body);
}
