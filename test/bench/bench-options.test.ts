/**
 * Command-line options: `--gateway-env` (settings every gateway gets on top of the bench's own, checked
 * against the settings catalogue), the peer's headers and process, and profile mode.
 */
import { gatewayEnv, parseArgs, peerHeaders } from './bench';
import { targetCallPath, workloadName } from './load';

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

test('profile mode drives unary Gemini cache misses unless --profile-hits asks for hits, --profile-stream for streams, or --profile-openai for chat completions', () => {
  expect(parse('--profile', '/tmp/p').profileCache).toBe('miss');
  expect(parse('--profile', '/tmp/p', '--profile-hits').profileCache).toBe('hit');
  expect(parse('--profile', '/tmp/p').profileStream).toBe(false);
  expect(parse('--profile', '/tmp/p', '--profile-stream', '--profile-hits')).toMatchObject({ profileStream: true, profileCache: 'hit' });
  expect(parse('--profile', '/tmp/p').profileOpenAI).toBe(false);
  expect(parse('--profile', '/tmp/p', '--profile-openai').profileOpenAI).toBe(true);
  // The bench sends chat completions unary only: asking for both is an error, not a silent unary profile.
  expect(() => parse('--profile', '/tmp/p', '--profile-stream', '--profile-openai')).toThrow(/--profile-stream and --profile-openai/);
});

test("a peer's headers: its key, then each --peer-header with {upstream} as this run's emulator", () => {
  const options = parse('--peer', 'http://127.0.0.1:8787/v1/', '--peer-key', 'K', '--peer-header', 'x-portkey-provider: google', '--peer-header', 'x-portkey-custom-host:{upstream}');
  expect(options.peer).toBe('http://127.0.0.1:8787/v1');
  expect(peerHeaders(options, 'http://127.0.0.1:40001')).toEqual({
    'x-goog-api-key': 'K',
    'x-portkey-provider': 'google',
    'x-portkey-custom-host': 'http://127.0.0.1:40001',
  });
  expect(peerHeaders(parse(), 'http://127.0.0.1:40001')).toEqual({});
});

test('a --peer-header without a header name before its colon, or a --peer-pid that is no process id, is refused', () => {
  for (const header of ['x-portkey-provider google', ': google', 'bad name: x']) {
    expect(() => parse('--peer-header', header)).toThrow(/--peer-header needs 'Name: value'/);
  }
  expect(parse('--peer-pid', '4242').peerPid).toBe(4242);
  for (const pid of ['0', '1.5', 'me']) expect(() => parse('--peer-pid', pid)).toThrow(/--peer-pid needs a process id|needs a non-negative number/);
});

test('--openai adds the OpenAI-format workloads; --peer-openai says where the peer serves that API', () => {
  expect(parse().openai).toBe(false);
  const options = parse('--openai', '--peer', 'http://127.0.0.1:8787/v1', '--peer-openai', 'http://127.0.0.1:8787/v1/');
  expect(options).toMatchObject({ openai: true, peerOpenAI: 'http://127.0.0.1:8787/v1' });
  expect(workloadName({ stream: false, cache: 'miss', concurrency: 16, openai: true })).toBe('openai miss c=16');
  expect(workloadName({ stream: false, cache: 'miss', concurrency: 16 })).toBe('unary miss c=16');
});

test("a target's calls go under its URL's own path, so a gateway serving Gemini under a prefix can be driven", () => {
  expect(targetCallPath({ url: 'http://127.0.0.1:8787/v1' }, false)).toBe('/v1/v1beta/models/gemini-3.5-flash-lite:generateContent');
  expect(targetCallPath({ url: 'http://127.0.0.1:8787/v1/' }, true)).toBe('/v1/v1beta/models/gemini-3.5-flash-lite:streamGenerateContent?alt=sse');
  expect(targetCallPath({ url: 'http://127.0.0.1:9000' }, false)).toBe('/v1beta/models/gemini-3.5-flash-lite:generateContent');
});
