/** Command-line options: `--gateway-env` (settings every gateway gets on top of the bench's own, checked against the settings catalogue) and profile mode. */
import { gatewayEnv, parseArgs } from './bench';

const parse = (...argv: string[]) => parseArgs(argv, () => undefined);

test('each --gateway-env NAME=VALUE is kept, the value taken whole (an = inside it too)', () => {
  expect(parse('--gateway-env', 'GATEWAY_ACCESS_LOG=failures', '--gateway-env', 'GATEWAY_MODELS={"aliases":{"a=b":"c"}}').gatewaySettings).toEqual({
    GATEWAY_ACCESS_LOG: 'failures',
    GATEWAY_MODELS: '{"aliases":{"a=b":"c"}}',
  });
  expect(parse().gatewaySettings).toEqual({});
});

test('a name the gateway does not know, or no NAME=, is refused with what was given', () => {
  expect(() => parse('--gateway-env', 'GATEWAY_ACESS_LOG=off')).toThrow(/NAME a gateway setting.*"GATEWAY_ACESS_LOG=off"/);
  expect(() => parse('--gateway-env', 'failures')).toThrow(/NAME=VALUE/);
  expect(() => parse('--gateway-env', '=off')).toThrow(/NAME=VALUE/);
});

test('a setting the bench sets per target cannot be changed: the targets would no longer be what they say', () => {
  for (const name of ['GATEWAY_TELEMETRY', 'REDIS_URL', 'GATEWAY_AUTH_MODE', 'GOOGLE_GEMINI_BASE_URL', 'PORT']) {
    expect(() => parse('--gateway-env', `${name}=x`)).toThrow(new RegExp(`cannot change ${name}`));
  }
});

test("a gateway's environment: the bench's base, overridden by --gateway-env, then by what its target needs", () => {
  const env = gatewayEnv('http://127.0.0.1:1', { LOG_LEVEL: 'warn', GATEWAY_ACCESS_LOG: 'failures' }, { GATEWAY_TELEMETRY: 'off' });
  expect(env).toMatchObject({ LOG_LEVEL: 'warn', GATEWAY_ACCESS_LOG: 'failures', GATEWAY_TELEMETRY: 'off', GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:1', GATEWAY_AUTH_MODE: 'keys' });
  expect(gatewayEnv('http://127.0.0.1:1', {})).toMatchObject({ LOG_LEVEL: 'info' });
  expect(gatewayEnv('http://127.0.0.1:1', {})).not.toHaveProperty('GATEWAY_ACCESS_LOG');
});

test('profile mode drives cache misses unless --profile-hits asks for hits', () => {
  expect(parse('--profile', '/tmp/p').profileCache).toBe('miss');
  expect(parse('--profile', '/tmp/p', '--profile-hits').profileCache).toBe('hit');
});
