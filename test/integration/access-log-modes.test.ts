/**
 * `GATEWAY_ACCESS_LOG`: `failures` writes access lines for statuses of 400 and above only (Cloud Run's own
 * request log has the rest), `off` writes none. Audit lines are not access lines: every model call keeps
 * its own in every mode.
 */
import { createHash } from 'node:crypto';
import { loadConfig } from '../../service/config/load';
import { capturingLogger, startTestGateway, type TestGateway } from '../support/gateway';
import { send } from '../support/http';

const KEY = 'access-team-key';
const BODY = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
const CALL = '/v1beta/models/gemini-3.5-flash-lite:generateContent';
const caller = { id: 'access-team', keySha256: [createHash('sha256').update(KEY).digest('hex')] };

/** A success, a 401, an upstream 503 and a probe; the access lines and audit lines they left. */
async function traffic(mode: string): Promise<{ access: Array<{ severity: unknown; requestUrl: string; status: number }>; audits: number }> {
  const logs = capturingLogger('debug');
  const gateway: TestGateway = await startTestGateway(
    { GATEWAY_AUTH_MODE: 'keys', GATEWAY_CALLERS: JSON.stringify([caller]), GATEWAY_ACCESS_LOG: mode, GATEWAY_RETRY_MAX_ATTEMPTS: '1', GATEWAY_CACHE_TTL_SECONDS: '0' },
    { logger: logs.logger },
  );
  try {
    expect((await send(`${gateway.url}${CALL}`, { body: BODY, headers: { 'x-goog-api-key': KEY } })).status).toBe(200);
    expect((await send(`${gateway.url}${CALL}`, { body: BODY })).status).toBe(401);
    gateway.emulator?.faults.set([{ kind: 'status', status: 503, count: 1 }]);
    expect((await send(`${gateway.url}${CALL}`, { body: BODY, headers: { 'x-goog-api-key': KEY } })).status).toBe(503);
    expect((await send(`${gateway.url}/healthz`)).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    await gateway.stop();
  }
  return {
    access: logs.lines.filter((l) => l.httpRequest).map((l) => ({ severity: l.severity, ...(l.httpRequest as { requestUrl: string; status: number }) })),
    audits: logs.lines.filter((l) => l.logName === 'audit').length,
  };
}

test('all (the default): a line for every request', async () => {
  const { access, audits } = await traffic('all');
  expect(access.map((a) => [a.severity, a.status])).toEqual([['INFO', 200], ['INFO', 401], ['WARNING', 503], ['DEBUG', 200]]);
  expect(audits).toBe(2);
});

test('failures: lines for 401 and 503 only, at their usual severity; audit lines unchanged', async () => {
  const { access, audits } = await traffic('failures');
  expect(access).toEqual([expect.objectContaining({ severity: 'INFO', requestUrl: CALL, status: 401 }), expect.objectContaining({ severity: 'WARNING', requestUrl: CALL, status: 503 })]);
  expect(audits).toBe(2);
});

test('an OpenAI route is logged with its whole path, not the rest after its mount point', async () => {
  const logs = capturingLogger();
  const gateway: TestGateway = await startTestGateway({ GATEWAY_AUTH_MODE: 'keys', GATEWAY_CALLERS: JSON.stringify([caller]) }, { logger: logs.logger });
  try {
    const chat = JSON.stringify({ model: 'gemini-3.5-flash-lite', messages: [{ role: 'user', content: 'hi' }] });
    expect((await send(`${gateway.url}/v1beta/openai/chat/completions`, { body: chat, headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    await gateway.stop();
  }
  expect(logs.lines.filter((l) => l.httpRequest).map((l) => (l.httpRequest as { requestUrl: string }).requestUrl)).toEqual(['/v1beta/openai/chat/completions']);
});

test('off: no access line at all; audit lines unchanged', async () => {
  const { access, audits } = await traffic('off');
  expect(access).toEqual([]);
  expect(audits).toBe(2);
});

test('an unknown mode is a configuration error that names the setting and the choices', () => {
  expect(() => loadConfig({ GATEWAY_ACCESS_LOG: 'some' })).toThrow(/GATEWAY_ACCESS_LOG.*all.*failures.*off/s);
});
