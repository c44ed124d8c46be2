/** Credentials in any form the gateway may meet are redacted from span text; other text passes unchanged. */
import { redactCredentials } from '../../service/telemetry/span-attributes';

test.each([
  ['AIzaSyA-1234567890abcdefghijklmnopqrstu', '[redacted]'],
  ['/v1beta/models/m:generateContent?alt=sse&KEY=abc123&x=1', '/v1beta/models/m:generateContent?alt=sse&KEY=[redacted]&x=1'],
  ['api_key=abc', 'api_key=[redacted]'],
  ['?Access_Token=abc', '?Access_Token=[redacted]'],
  ['Bearer eyJhbGciOi.payload.sig', 'Bearer [redacted]'],
  ['token ya29.a0AfH6SMB-secret', 'token [redacted]'],
])('%s is redacted', (text, expected) => {
  expect(redactCredentials(text)).toBe(expected);
});

test('text without credentials is returned as it is', () => {
  const text = '/v1beta/models/gemini-2.5-flash:generateContent (monkey business, 20 tokens)';
  expect(redactCredentials(text)).toBe(text);
});
