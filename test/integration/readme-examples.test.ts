/**
 * The README's SDK snippets, run as written (only the gateway's address is substituted) against a live
 * gateway: what app teams copy must work.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestGateway, type TestGateway } from '../support/gateway';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
// Inside the repository, so the snippets resolve the packages from its node_modules.
const scratch = join(root, 'test', '.readme-examples');
const snippets = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const isOpenAI = (code: string): boolean => code.includes("from 'openai'");

let gateway: TestGateway;
beforeAll(async () => {
  // The mapping the README's "OpenAI SDK" section tells operators to set; team keys, as deployed, and the
  // snippets' key is the one caller's.
  gateway = await startTestGateway({
    GATEWAY_OPENAI_MODELS: '{"gpt-4o-mini":"gemini-3.5-flash-lite"}',
    GATEWAY_AUTH_MODE: 'keys',
    GATEWAY_CALLERS: JSON.stringify([{ id: 'team-a', keySha256: [createHash('sha256').update('my-team-key').digest('hex')] }]),
  });
  mkdirSync(scratch, { recursive: true });
});
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await gateway.stop();
});

test('the README shows the three Google SDK snippets and the OpenAI SDK snippet', () => {
  expect(snippets.filter((code) => !isOpenAI(code))).toHaveLength(3);
  expect(snippets.filter(isOpenAI)).toHaveLength(1);
});

test.each(snippets.map((code, i) => [i, code] as const))('snippet %i runs against the gateway', async (i, code) => {
  const file = join(scratch, `snippet-${i}.mjs`);
  writeFileSync(file, code.replaceAll('http://localhost:8080', gateway.url));
  const { stdout } = await run(process.execPath, [file], { cwd: root, timeout: 20_000 });
  expect(stdout).toContain('(emulated)');
});
