/**
 * Secrets and prompts never reach the logs. A gateway in `keys` mode, in front of an AI Studio upstream
 * that accepts only its own key (a standalone emulator), logs at `debug` into an array while it serves
 * every kind of traffic: unary and streamed successes, a cache hit, countTokens, upstream errors (5xx,
 * 429, connection resets, a mid-stream error, the upstream refusing the gateway's key), authentication
 * failures, invalid requests that carry the prompt, and the team key sent as `x-goog-api-key`,
 * `Authorization: Bearer` and `?key=`. Then:
 *
 * - no log line contains the team key, the upstream key, a wrong key a caller tried, or the prompt text
 *   (or a distinctive fragment of it);
 * - there is exactly one audit line per model call that passed authentication and validation, and each
 *   names the caller, its tokens, cost and outcome, and carries `promptHmac` — the HMAC-SHA256, under the
 *   configured audit key, of the SHA-256 of the canonical (key-sorted) JSON of `{contents,
 *   systemInstruction}` (see `pipeline/cache/key.ts`), recomputed here independently. Neither that plain
 *   SHA-256 (which a dictionary attack could reverse) nor the audit key appears in any line.
 */
import { createHmac } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { GeminiEmulator } from '../../service/emulator/server';
import { startEmulator } from '../support/emulator';
import { startCapturedGateway, type CapturedGateway } from './support/captured-gateway';
import { auditRecords, pollUntil } from './support/processes';
import { call, googleErrorProblem, sha256Hex, type Reply } from './support/traffic';

jest.setTimeout(60_000);

const TEAM_KEY = 'team-key-7f3a91c2d8e4b6a0-SECRET';
const UPSTREAM_KEY = 'upstream-secret-key';
const WRONG_KEY = 'wrong-key-5e8d2b7c-ALSO-SECRET';
/** Distinctive enough that any appearance in a log is the prompt itself. */
const PROMPT = 'Ignore the walrus: the marmalade quokka recites nine sonnets at 03:17 (marker QX-PLUM-4471)';
const PROMPT_FRAGMENTS = ['marmalade quokka', 'QX-PLUM-4471', 'nine sonnets', PROMPT.slice(0, 24)];
const SYSTEM_TEXT = 'You are a lighthouse keeper named Oswin Thistlewaite';
const AUDIT_KEY = 'audit-hmac-key-4c1f0e9a7b2d6e8f3a5c-SECRET';

const OK_MODEL = 'gemini-3.5-flash-lite';
/** Faults are injected on this model only (it has no fallback chain), so other calls are unaffected. */
const FAULT_MODEL = 'gemini-3.1-flash-lite';

interface Sent {
  label: string;
  reply: Reply;
  /** The promptHmac its audit line must carry; undefined when no audit line is expected. */
  auditHmac?: string;
  outcome?: 'success' | 'upstream_error';
}

/** SHA-256 of the key-sorted JSON of contents and systemInstruction: what the cache key is built on. */
function promptSha(body: Record<string, unknown>): string {
  return sha256Hex(stringify({ contents: body.contents ?? null, systemInstruction: body.systemInstruction ?? null }) ?? '');
}

/** The audit line's prompt fingerprint, recomputed: that SHA-256 keyed with the audit key. */
function promptHmac(body: Record<string, unknown>): string {
  return createHmac('sha256', AUDIT_KEY).update(promptSha(body)).digest('hex');
}

let emulator: GeminiEmulator | undefined;
let gateway: CapturedGateway | undefined;
const sent: Sent[] = [];
/** Upstream attempts the gateway made for the request that met a 500 on every attempt. */
let attemptsOn500 = 0;

function body(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  // Keys deliberately out of order: the fingerprint must not depend on it.
  return { generationConfig: { maxOutputTokens: 32 }, contents: [{ parts: [{ text: `${PROMPT} #${n}` }], role: 'user' }], ...extra };
}

async function send(
  label: string,
  path: string,
  payload: Record<string, unknown> | string,
  options: { headers?: Record<string, string>; audited?: 'success' | 'upstream_error' } = {},
): Promise<Reply> {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const reply = await call(`${gateway!.url}${path}`, { headers: options.headers ?? { 'x-goog-api-key': TEAM_KEY }, body: text });
  const auditHmac = options.audited && typeof payload !== 'string' ? promptHmac(payload) : undefined;
  sent.push({ label, reply, auditHmac, outcome: options.audited });
  return reply;
}

const generatePath = (model: string) => `/v1beta/models/${model}:generateContent`;
const streamPath = (model: string, sse = true) => `/v1beta/models/${model}:streamGenerateContent${sse ? '?alt=sse' : ''}`;

beforeAll(async () => {
  const started = await startEmulator({ apiKeys: [UPSTREAM_KEY] });
  emulator = started.emulator;
  gateway = await startCapturedGateway(
    {
      GEMINI_API_KEY: UPSTREAM_KEY,
      GOOGLE_GEMINI_BASE_URL: started.url,
      GATEWAY_AUDIT_HMAC_KEY: AUDIT_KEY,
      GATEWAY_AUTH_MODE: 'keys',
      GATEWAY_CALLERS: JSON.stringify([{ id: 'secret-team', keySha256: [sha256Hex(TEAM_KEY)], rpm: 10_000, budget: { usd: 100, period: 'day' } }]),
      GATEWAY_RETRY_MAX_ATTEMPTS: '2',
      GATEWAY_RETRY_BASE_DELAY_MS: '1',
      GATEWAY_RETRY_MAX_DELAY_MS: '20',
    },
    'debug',
  );

  // Successes, with the team key presented each way the gateway accepts.
  expect((await send('unary, x-goog-api-key', generatePath(OK_MODEL), body(1), { audited: 'success' })).status).toBe(200);
  expect((await send('unary, Bearer', generatePath(OK_MODEL), body(2), { headers: { authorization: `Bearer ${TEAM_KEY}` }, audited: 'success' })).status).toBe(200);
  expect((await send('unary, ?key=', `${generatePath(OK_MODEL)}?key=${TEAM_KEY}`, body(3), { headers: {}, audited: 'success' })).status).toBe(200);
  expect((await send('SSE stream', streamPath(OK_MODEL), body(4), { audited: 'success' })).status).toBe(200);
  expect((await send('JSON-array stream, ?key=', `${streamPath(OK_MODEL, false)}?key=${TEAM_KEY}`, body(5), { headers: {}, audited: 'success' })).status).toBe(200);
  const withSystem = body(6, { systemInstruction: { parts: [{ text: SYSTEM_TEXT }] } });
  expect((await send('with a system instruction', generatePath(OK_MODEL), withSystem, { audited: 'success' })).status).toBe(200);
  const hit = await send('cache hit (same request again)', generatePath(OK_MODEL), body(1), { audited: 'success' });
  expect(hit.headers['x-cache']).toBe('HIT');
  expect((await send('countTokens', `/v1beta/models/${OK_MODEL}:countTokens`, { contents: body(7).contents }, { audited: 'success' })).status).toBe(200);

  // Upstream errors, each spending every attempt.
  const em = emulator;
  em.faults.set([{ kind: 'status', status: 500, model: FAULT_MODEL, probability: 1, count: 2 }]);
  const before500 = em.requestCount;
  expect((await send('upstream 500', generatePath(FAULT_MODEL), body(8), { audited: 'upstream_error' })).status).toBeGreaterThanOrEqual(500);
  attemptsOn500 = em.requestCount - before500;
  em.faults.set([{ kind: 'status', status: 429, retryDelaySeconds: 0.005, model: FAULT_MODEL, probability: 1, count: 2 }]);
  expect((await send('upstream 429', generatePath(FAULT_MODEL), body(9), { audited: 'upstream_error' })).status).toBe(429);
  // Let the adaptive throttle the 429 set (5 ms) run out before the next call to this model.
  await new Promise((resolve) => setTimeout(resolve, 50));
  em.faults.set([{ kind: 'reset', model: FAULT_MODEL, probability: 1, count: 2 }]);
  expect((await send('upstream connection reset', generatePath(FAULT_MODEL), body(10), { audited: 'upstream_error' })).status).toBeGreaterThanOrEqual(500);
  em.faults.set([{ kind: 'midstream-error', status: 500, afterChunks: 1, model: FAULT_MODEL, probability: 1, count: 1 }]);
  const cut = await send('mid-stream error', streamPath(FAULT_MODEL), body(11), { audited: 'upstream_error' });
  expect(cut.status).toBe(200);
  expect(cut.text).toContain('"error"');
  em.faults.clear();
  // The upstream stops accepting the gateway's key (revoked at Google): its refusal is relayed, and audited.
  em.setApiKeys(['some-rotated-key']);
  const refused = await send('upstream refuses the key', generatePath(OK_MODEL), body(12), { audited: 'upstream_error' });
  em.setApiKeys([UPSTREAM_KEY]);
  expect(refused.status).toBeGreaterThanOrEqual(400);

  // Authentication failures: never audited, never logged with the key that was tried.
  expect((await send('wrong key', generatePath(OK_MODEL), body(13), { headers: { 'x-goog-api-key': WRONG_KEY } })).status).toBe(403);
  expect((await send('wrong Bearer', generatePath(OK_MODEL), body(14), { headers: { authorization: `Bearer ${WRONG_KEY}` } })).status).toBe(403);
  expect((await send('wrong ?key=', `${generatePath(OK_MODEL)}?key=${WRONG_KEY}`, body(15), { headers: {} })).status).toBe(403);
  expect((await send('no key', generatePath(OK_MODEL), body(16), { headers: {} })).status).toBe(401);
  // Invalid requests that carry the prompt (and the key) in the fields that are wrong.
  const badMime = { contents: [{ parts: [{ text: PROMPT, inlineData: { mimeType: `text/${PROMPT}`, data: TEAM_KEY } }] }] };
  expect((await send('invalid MIME type', generatePath(OK_MODEL), badMime)).status).toBe(400);
  expect((await send('wrong field type', generatePath(OK_MODEL), { contents: [{ parts: [{ text: { prompt: PROMPT, key: TEAM_KEY } }] }] })).status).toBe(400);
  expect((await send('malformed JSON', generatePath(OK_MODEL), `{"contents":[{"parts":[{"text":"${PROMPT}"`)).status).toBe(400);
  expect((await send('unknown model', generatePath('gemini-9-nonexistent'), body(17), { audited: 'upstream_error' })).status).toBe(404);
});

afterAll(async () => {
  await gateway?.stop();
  await emulator?.close();
});

test('every reply is a success or a Google-shaped error', () => {
  for (const { label, reply } of sent) {
    if (reply.status !== 200) expect({ label, problem: googleErrorProblem(reply, 400, 599) }).toEqual({ label, problem: undefined });
  }
});

test('no log line holds a key (team, upstream, audit, or a wrong one tried), the prompt text or its plain hash', () => {
  const lines = gateway!.rawLines;
  expect(lines.length).toBeGreaterThan(0);
  const secrets = [TEAM_KEY, UPSTREAM_KEY, WRONG_KEY, AUDIT_KEY, ...PROMPT_FRAGMENTS, SYSTEM_TEXT, promptSha(body(1)), promptSha(body(8))];
  const leaks = lines.flatMap((line) => secrets.filter((secret) => line.includes(secret)).map((secret) => `${secret} in ${line.slice(0, 300)}`));
  expect(leaks).toEqual([]);
});

test('one audit line per model call, each with caller, tokens, cost, outcome and the keyed prompt fingerprint', async () => {
  const expected = sent.filter((s) => s.auditHmac !== undefined);
  // Streams are audited when they end, which may be just after the client read the last byte.
  await pollUntil(() => auditRecords(gateway!.logs).length >= expected.length, 5_000);
  const audits = auditRecords(gateway!.logs);
  expect(audits).toHaveLength(expected.length);

  const remaining = [...audits];
  for (const request of expected) {
    const index = remaining.findIndex((a) => a.promptHmac === request.auditHmac && a.outcome === request.outcome);
    expect({ label: request.label, found: index >= 0 }).toEqual({ label: request.label, found: true });
    remaining.splice(index, 1);
  }
  for (const audit of audits) {
    expect(audit).toMatchObject({
      caller: 'secret-team',
      promptHmac: expect.stringMatching(/^[0-9a-f]{64}$/),
      tokens: { input: expect.any(Number), output: expect.any(Number), cached: expect.any(Number), thinking: expect.any(Number) },
      costUsd: expect.any(Number),
      outcome: expect.stringMatching(/^(success|upstream_error)$/),
      latencyMs: expect.any(Number),
      modelRequested: expect.any(String),
    });
  }
  // A paid success records real tokens and a cost; the cache hit records none.
  const success = audits.find((a) => a.promptHmac === promptHmac(body(1)) && a.cache !== 'hit');
  expect((success!.tokens as { input: number }).input).toBeGreaterThan(0);
  expect(success!.costUsd).toBeGreaterThan(0);
  expect(audits.find((a) => a.promptHmac === promptHmac(body(1)) && a.cache === 'hit')).toMatchObject({ costUsd: 0, outcome: 'success' });
});

// The audit record's `retries` comes from the successful CallResult only: a call that retried and then
// failed throws, and `account.record` writes `retries: input.result?.retries ?? 0`, i.e. always 0.
test('the audit line of a call that retried and still failed counts its retries', () => {
  expect(attemptsOn500).toBe(2);
  const audit = auditRecords(gateway!.logs).find((a) => a.promptHmac === promptHmac(body(8)));
  expect(audit).toMatchObject({ outcome: 'upstream_error', status: 500, retries: attemptsOn500 - 1 });
});
