/** `http.route` values: every gateway path becomes a bounded template; ids never survive. */
import { API_ROUTE_PATTERN, matchRoute, routeTemplate } from '../../service/telemetry/route-template';

test.each([
  ['/v1beta/models/gemini-2.5-flash:generateContent', '/v1beta/models/{model}:generateContent', 'gemini-2.5-flash'],
  ['/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=AIzaSECRET', '/v1beta/models/{model}:streamGenerateContent', 'gemini-2.5-flash'],
  ['//v1beta//models/gemini-2.5-flash:countTokens', '/v1beta/models/{model}:countTokens', 'gemini-2.5-flash'],
  ['/v1/models', '/v1/models', undefined],
  ['/v1beta/models/gemini-2.5-pro', '/v1beta/models/{model}', 'gemini-2.5-pro'],
  ['/v1beta/tunedModels/my-tuned-1:generateContent', '/v1beta/tunedModels/{model}:generateContent', 'my-tuned-1'],
  ['/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent', '/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent', 'gemini-2.5-flash'],
  ['/v1beta1/publishers/google/models/text-embedding-004:predict', '/v1beta1/publishers/google/models/{model}:predict', 'text-embedding-004'],
  ['/v1/projects/p-1/locations/us-central1/endpoints/1234567:generateContent', '/v1/projects/{project}/locations/{location}/endpoints/{endpoint}:generateContent', '1234567'],
  ['/healthz', '/healthz', undefined],
  ['/readyz?x=1', '/readyz', undefined],
  ['/metrics', '/metrics', undefined],
])('%s → %s', (url, route, model) => {
  expect(matchRoute(url)).toEqual(model === undefined ? { route } : { route, model });
});

test.each(['/', '/favicon.ico', '/v2/models', '/v1beta/models/a/b', '/v1beta/models/..%2F:generateContent', '/v1beta/models/x:hack', '/admin'])('%s has no route', (url) => {
  expect(routeTemplate(url)).toBeUndefined();
});

test('the API route pattern matches every Gemini template and no probe', () => {
  const re = new RegExp(`^${API_ROUTE_PATTERN}$`);
  expect(re.test('/v1beta/models/{model}:generateContent')).toBe(true);
  expect(re.test('/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:predict')).toBe(true);
  expect(re.test('/healthz')).toBe(false);
  expect(re.test('/metrics')).toBe(false);
});
