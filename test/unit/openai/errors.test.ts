/**
 * Errors in OpenAI's shape with the status the `openai` SDK maps to its classes, retry hints in headers,
 * and nothing internal leaked.
 */
import { z } from 'zod';
import { GoogleApiError, retryInfo } from '../../../service/protocol/errors';
import { OpenAIRequestError, toOpenAIError } from '../../../service/openai';
import { googleErrorFromChunk } from '../../../service/openai/errors';

const JSON_HEADERS = { 'content-type': 'application/json' };
const errorInfo = (reason: string) => ({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com' });

test('a request error: 400 invalid_request_error with param and code', () => {
  expect(toOpenAIError(new OpenAIRequestError("Invalid 'temperature': Too big.", { param: 'temperature', code: 'invalid_value' }))).toEqual({
    status: 400,
    headers: JSON_HEADERS,
    body: { error: { message: "Invalid 'temperature': Too big.", type: 'invalid_request_error', code: 'invalid_value', param: 'temperature' } },
  });
});

test('a raw zod failure: 400 with param naming the field', () => {
  const result = z.object({ input: z.object({ n: z.number() }) }).safeParse({ input: { n: 'x' } });
  expect(toOpenAIError(result.error)).toEqual({
    status: 400,
    headers: JSON_HEADERS,
    body: { error: { message: "Invalid 'input.n': Invalid input: expected number, received string.", type: 'invalid_request_error', code: 'invalid_type', param: 'input.n' } },
  });
});

test.each([
  [new GoogleApiError(400, 'Request contains an invalid argument.'), 400, 'invalid_request_error', 'invalid_argument'],
  [new GoogleApiError(400, 'Precondition', { status: 'FAILED_PRECONDITION' }), 400, 'invalid_request_error', 'failed_precondition'],
  [new GoogleApiError(400, 'API key not valid. Please pass a valid API key.', { details: [errorInfo('API_KEY_INVALID')] }), 401, 'invalid_request_error', 'invalid_api_key'],
  [new GoogleApiError(401, 'Missing credentials'), 401, 'invalid_request_error', 'invalid_api_key'],
  [new GoogleApiError(403, 'The caller does not have permission'), 403, 'permission_error', 'permission_denied'],
  [new GoogleApiError(404, 'models/gemini-9 is not found for API version v1beta'), 404, 'invalid_request_error', 'model_not_found'],
  [new GoogleApiError(404, 'cachedContents/x not found'), 404, 'invalid_request_error', 'not_found'],
  [new GoogleApiError(409, 'Aborted'), 409, 'invalid_request_error', 'conflict'],
  [new GoogleApiError(413, 'Request payload size exceeds the limit'), 413, 'invalid_request_error', 'invalid_argument'],
  [new GoogleApiError(422, 'Unprocessable'), 422, 'invalid_request_error', 'unprocessable_entity'],
  [new GoogleApiError(429, 'Resource has been exhausted'), 429, 'rate_limit_error', 'rate_limit_exceeded'],
  [new GoogleApiError(500, 'An internal error has occurred.'), 500, 'server_error', 'internal_error'],
  [new GoogleApiError(502, 'Bad gateway'), 502, 'server_error', 'bad_gateway'],
  [new GoogleApiError(503, 'The model is overloaded. Please try again later.'), 503, 'server_error', 'overloaded'],
  [new GoogleApiError(503, 'Service unavailable'), 503, 'server_error', 'service_unavailable'],
  [new GoogleApiError(504, 'Deadline expired before operation could complete.'), 504, 'server_error', 'timeout'],
])('Google %j → %i %s %s', (error, status, type, code) => {
  const translated = toOpenAIError(error);
  expect(translated.status).toBe(status);
  expect(translated.body).toEqual({ error: { message: error.message, type, code, param: null } });
});

test('429 with RetryInfo: retry-after in whole seconds (rounded up) and retry-after-ms, as the openai SDK reads them', () => {
  const error = new GoogleApiError(429, 'You exceeded your current quota', {
    details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [] }, retryInfo(45.837906927)],
  });
  expect(toOpenAIError(error)).toEqual({
    status: 429,
    headers: { ...JSON_HEADERS, 'retry-after': '46', 'retry-after-ms': '45838' },
    body: { error: { message: 'You exceeded your current quota', type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null } },
  });
});

test('a 503 with RetryInfo carries the hint too', () => {
  expect(toOpenAIError(new GoogleApiError(503, 'overloaded', { details: [retryInfo(2)] })).headers).toEqual({ ...JSON_HEADERS, 'retry-after': '2', 'retry-after-ms': '2000' });
});

test('429 for a spent budget: insufficient_quota, and x-should-retry false so the SDK does not hammer', () => {
  expect(toOpenAIError(new GoogleApiError(429, 'Team budget exhausted for this month.', { details: [errorInfo('BUDGET_EXCEEDED')] }))).toEqual({
    status: 429,
    headers: { ...JSON_HEADERS, 'x-should-retry': 'false' },
    body: { error: { message: 'Team budget exhausted for this month.', type: 'insufficient_quota', code: 'insufficient_quota', param: null } },
  });
});

test('unknown errors are a 500 that leaks nothing', () => {
  expect(toOpenAIError(new Error('ECONNRESET at /srv/secret/path'))).toEqual({
    status: 500,
    headers: JSON_HEADERS,
    body: { error: { message: 'Internal error in the gateway.', type: 'server_error', code: 'internal_error', param: null } },
  });
  expect(toOpenAIError('a string').status).toBe(500);
  expect(toOpenAIError(undefined).status).toBe(500);
});

test("Express body-reader errors keep their meaning (413 too large, 400 bad length)", () => {
  expect(toOpenAIError({ type: 'entity.too.large', status: 413, limit: 1000 })).toMatchObject({ status: 413, body: { error: { type: 'invalid_request_error' } } });
  expect(toOpenAIError({ type: 'request.size.invalid' }).status).toBe(400);
});

test('Google in-band stream errors are read defensively', () => {
  expect(googleErrorFromChunk({ code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' })).toMatchObject({ httpStatus: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' });
  expect(googleErrorFromChunk({ code: 'x', message: 5 })).toMatchObject({ httpStatus: 500, message: 'Upstream stream failed with HTTP 500.' });
  expect(googleErrorFromChunk({ code: 200 })).toMatchObject({ httpStatus: 500 });
});
