/**
 * The audit line's prompt fingerprint across replicas: two gateways given the same GATEWAY_AUDIT_HMAC_KEY
 * fingerprint a prompt alike, so an SRE can follow it from one replica to the other; a gateway without a
 * key uses one of its own and warns at start-up that its fingerprints match nothing elsewhere.
 */
import type { GeminiEmulator } from '../../service/emulator/server';
import { startEmulator } from '../support/emulator';
import { capturingLogger, startTestGateway } from '../support/gateway';
import { postJson } from '../support/http';

const AUDIT_KEY = '3f9c0a7e5b1d4c2a8e6f0b9d7c5a3e1f';
const PROMPT = { contents: [{ role: 'user', parts: [{ text: 'the same question on every replica' }] }] };

let emulator: GeminiEmulator;
let upstreamUrl: string;
beforeAll(async () => ({ emulator, url: upstreamUrl } = await startEmulator()));
afterAll(() => emulator.close());

/** The promptHmac of one call through a fresh gateway, and that gateway's warnings. */
async function fingerprintOnce(auditKey: Record<string, string>): Promise<{ promptHmac: string; warnings: string[] }> {
  const { logger, lines } = capturingLogger();
  const gateway = await startTestGateway({ GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: upstreamUrl, GATEWAY_CACHE_TTL_SECONDS: '0', ...auditKey }, { logger });
  try {
    expect((await postJson(`${gateway.url}/v1beta/models/gemini-3.5-flash:generateContent`, PROMPT)).status).toBe(200);
  } finally {
    await gateway.stop();
  }
  const audit = lines.find((line) => line.audit)?.audit as { promptHmac: string };
  return { promptHmac: audit.promptHmac, warnings: lines.filter((line) => line.severity === 'WARNING').map((line) => String(line.message)) };
}

test('two replicas with the same key fingerprint a prompt alike, and say nothing about it', async () => {
  const first = await fingerprintOnce({ GATEWAY_AUDIT_HMAC_KEY: AUDIT_KEY });
  const second = await fingerprintOnce({ GATEWAY_AUDIT_HMAC_KEY: AUDIT_KEY });
  expect(second.promptHmac).toBe(first.promptHmac);
  expect(first.warnings).toEqual([]);
});

test('without a key, a replica\'s fingerprints are its own, and it warns at start-up', async () => {
  const keyed = await fingerprintOnce({ GATEWAY_AUDIT_HMAC_KEY: AUDIT_KEY });
  const unkeyed = await fingerprintOnce({});
  expect(unkeyed.promptHmac).toMatch(/^[0-9a-f]{64}$/);
  expect(unkeyed.promptHmac).not.toBe(keyed.promptHmac);
  expect(unkeyed.warnings).toEqual([expect.stringMatching(/GATEWAY_AUDIT_HMAC_KEY is not set/)]);
});
