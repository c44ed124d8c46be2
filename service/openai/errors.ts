/**
 * Errors in OpenAI's shape: `{"error":{"message","type","code","param"}}` with the HTTP status the `openai`
 * SDK turns into its error classes (400 BadRequestError, 401 AuthenticationError, 403 PermissionDeniedError,
 * 404 NotFoundError, 409 ConflictError, 422 UnprocessableEntityError, 429 RateLimitError, ≥500
 * InternalServerError). Always the object form: with Google's array form (`[{"error":…}]`) the SDK loses
 * the message (gemini-protocol.md §5).
 */
import { ZodError, type core } from 'zod';
import { ERROR_INFO_TYPE, GoogleApiError, type ErrorDetail } from '../protocol/errors';
import { toGoogleError } from '../api/render-error';
import type { OpenAIErrorBody, OpenAIErrorResponse } from './types';

/** A request the translation cannot accept; always a 4xx, with `param` naming the offending field. */
export class OpenAIRequestError extends Error {
  readonly status: number;
  readonly param: string | null;
  readonly code: string | null;
  readonly type: string;

  constructor(message: string, options: { param?: string | null; code?: string | null; status?: number; type?: string } = {}) {
    super(message);
    this.name = 'OpenAIRequestError';
    this.status = options.status ?? 400;
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.type = options.type ?? 'invalid_request_error';
  }
}

/** `['messages', 0, 'content']` → `messages[0].content`, prefixed by where the object sits. */
export function paramPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out.length === 0 ? String(key) : `.${String(key)}`;
  }
  return out;
}

const MAX_ISSUE_DEPTH = 8;

/**
 * The one issue to report. For a union (`content: string | Part[]`), zod reports every branch; the useful
 * one is the branch whose type matched (it failed deeper inside), so pick the branch whose first issue has
 * the longest path, and descend.
 */
function primaryIssue(issue: core.$ZodIssue, depth = 0): { issue: core.$ZodIssue; path: PropertyKey[] } {
  if (issue.code === 'invalid_union' && issue.errors.length > 0 && depth < MAX_ISSUE_DEPTH) {
    const typeMismatch = (i: core.$ZodIssue): boolean => i.code === 'invalid_type' && i.path.length === 0;
    // A branch whose type matched failed on something deeper or more specific: that is the one to report.
    const score = (branch: core.$ZodIssue[]): number => (branch.every(typeMismatch) ? -1 : branch[0]!.path.length);
    const branches = issue.errors.filter((branch) => branch.length > 0);
    const best = branches.reduce((a, b) => (score(b) > score(a) ? b : a));
    if (score(best) >= 0) {
      const inner = primaryIssue(best[0]!, depth + 1);
      return { issue: inner.issue, path: [...issue.path, ...inner.path] };
    }
  }
  return { issue, path: [...issue.path] };
}

function describeIssue(issue: core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.errors.length > 0 && !('note' in issue && issue.note)) {
    const expected = issue.errors.flatMap((b) => b.map((i) => (i.code === 'invalid_type' ? i.expected : undefined))).filter(Boolean);
    if (expected.length > 0) return `Invalid type: expected ${[...new Set(expected)].join(' or ')}.`;
  }
  return issue.message.endsWith('.') ? issue.message : `${issue.message}.`;
}

const isTypeIssue = (issue: core.$ZodIssue): boolean => issue.code === 'invalid_type' || issue.code === 'invalid_union';

function codeForIssue(issue: core.$ZodIssue, missing: boolean): string {
  if (isTypeIssue(issue) && missing) return 'missing_required_parameter';
  return issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value';
}

/** Reads the value at `path` of `root`, to tell a missing field from a wrong one. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

const NO_INPUT = Symbol('no input');

/**
 * A zod failure as a 400 naming the field: `param` is the first issue's path (`messages[2].content`).
 * Given the parsed input, a missing field is told from a wrong one; without it, zod's wording decides.
 */
export function fromZodError(error: ZodError, input: unknown = NO_INPUT, prefix = ''): OpenAIRequestError {
  const first = error.issues[0];
  if (!first) return new OpenAIRequestError('The request body is invalid.', { code: 'invalid_value' });
  const { issue, path } = primaryIssue(first);
  const param = paramPath(path, prefix) || null;
  const missing = input === NO_INPUT ? /received undefined$/.test(issue.message) : valueAt(input, path) === undefined;
  const detail = isTypeIssue(issue) && missing ? 'Missing required parameter.' : describeIssue(issue);
  const message = param ? `Invalid '${param}': ${detail}` : `Invalid request body: ${detail}`;
  return new OpenAIRequestError(message, { param, code: codeForIssue(issue, missing) });
}

// ---------------------------------------------------------------- Google → OpenAI

const BUDGET_REASONS = /BUDGET|BILLING|INSUFFICIENT|SPEND|CREDIT/i;

function errorInfoReason(details: readonly ErrorDetail[] | undefined): string | undefined {
  const info = details?.find((d) => d['@type'] === ERROR_INFO_TYPE);
  return typeof info?.reason === 'string' ? info.reason : undefined;
}

interface Classified {
  status: number;
  type: string;
  code: string | null;
}

function classify(error: GoogleApiError): Classified {
  const reason = errorInfoReason(error.details);
  const status = error.httpStatus;
  if (reason === 'API_KEY_INVALID' || status === 401 || error.status === 'UNAUTHENTICATED') {
    return { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' };
  }
  switch (status) {
    case 400:
    case 413:
    case 415:
      return { status, type: 'invalid_request_error', code: error.status.toLowerCase() };
    case 403:
      return { status, type: 'permission_error', code: 'permission_denied' };
    case 404:
      return { status, type: 'invalid_request_error', code: /\bmodel/i.test(error.message) ? 'model_not_found' : 'not_found' };
    case 409:
      return { status, type: 'invalid_request_error', code: 'conflict' };
    case 422:
      return { status, type: 'invalid_request_error', code: 'unprocessable_entity' };
    case 429:
      return reason !== undefined && BUDGET_REASONS.test(reason)
        ? { status, type: 'insufficient_quota', code: 'insufficient_quota' }
        : { status, type: 'rate_limit_error', code: 'rate_limit_exceeded' };
    case 408:
    case 504:
      return { status, type: 'server_error', code: 'timeout' };
    case 503:
      return { status, type: 'server_error', code: /overload/i.test(error.message) ? 'overloaded' : 'service_unavailable' };
    default:
      if (status >= 500) return { status, type: 'server_error', code: status === 502 ? 'bad_gateway' : 'internal_error' };
      return { status, type: 'invalid_request_error', code: error.status.toLowerCase() };
  }
}

function response(status: number, body: OpenAIErrorBody, extraHeaders: Record<string, string> = {}): OpenAIErrorResponse {
  return { status, headers: { 'content-type': 'application/json', ...extraHeaders }, body };
}

/**
 * Any error as an OpenAI error response. `OpenAIRequestError` and zod failures are 400s with `param`;
 * `GoogleApiError` (and whatever Express's body reader throws, via `toGoogleError`) keeps its status and
 * message; anything else is a 500 that leaks nothing. A 429 carrying RetryInfo gets `retry-after` (whole
 * seconds, rounded up) and `retry-after-ms`, both of which the `openai` SDK's retry loop honours; a 429
 * whose ErrorInfo reason names a budget or billing condition is `insufficient_quota` and carries
 * `x-should-retry: false`, because waiting does not help.
 */
export function toOpenAIError(error: unknown): OpenAIErrorResponse {
  if (error instanceof OpenAIRequestError) {
    return response(error.status, { error: { message: error.message, type: error.type, code: error.code, param: error.param } });
  }
  if (error instanceof ZodError) {
    const translated = fromZodError(error);
    return toOpenAIError(translated);
  }
  // toGoogleError reads `.type` off whatever it gets: only hand it objects.
  const google = typeof error === 'object' && error !== null ? toGoogleError(error) : new GoogleApiError(500, 'Internal error in the gateway.');
  const { status, type, code } = classify(google);
  const headers: Record<string, string> = {};
  const delay = google.retryDelaySeconds();
  if (delay !== undefined && (status === 429 || status >= 500)) {
    headers['retry-after'] = String(Math.max(0, Math.ceil(delay)));
    headers['retry-after-ms'] = String(Math.max(0, Math.round(delay * 1000)));
  }
  if (code === 'insufficient_quota') headers['x-should-retry'] = 'false';
  return response(status, { error: { message: google.message, type, code, param: null } }, headers);
}

/** Google's in-band stream error (`data: {"error":{…}}`) as the error it stands for. */
export function googleErrorFromChunk(error: { code?: unknown; message?: unknown; status?: unknown; details?: unknown }): GoogleApiError {
  const code = typeof error.code === 'number' && error.code >= 400 && error.code <= 599 ? error.code : 500;
  const message = typeof error.message === 'string' && error.message.length > 0 ? error.message : `Upstream stream failed with HTTP ${code}.`;
  return new GoogleApiError(code, message, {
    status: typeof error.status === 'string' ? error.status : undefined,
    details: Array.isArray(error.details) ? (error.details as ErrorDetail[]) : undefined,
  });
}
