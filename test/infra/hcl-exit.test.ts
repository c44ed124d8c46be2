/**
 * The exit path: CDKTF is archived upstream, so `cdktf synth --hcl` must keep producing plain Terraform
 * that says the same as the JSON synth. Runs the real CLI once (as `npm run synth:hcl` does, into a temp
 * directory), parses every stack's cdk.tf with the HCL parser CDKTF ships, and compares each stack's
 * resources and backend with the JSON synth. A reference inside a string with double quotes, for one,
 * once produced unparsable HCL here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from '@cdktf/hcl2json';
import { ENVIRONMENTS } from '../../infra/environments';
import { observabilityDefinitions } from '../../infra/observability-definitions';
import { countsOf, synth } from './synth';

const outdir = mkdtempSync(join(tmpdir(), 'gemini-gateway-hcl-'));

beforeAll(async () => {
  await promisify(execFile)(join('node_modules', '.bin', 'cdktf'), ['synth', '--hcl', '--output', outdir], {
    env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1' },
    timeout: 150_000,
  });
}, 160_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s: cdk.tf parses and declares what the JSON synth declares', async (name, env) => {
  const hcl = (await parse('cdk.tf', readFileSync(join(outdir, 'stacks', name, 'cdk.tf'), 'utf8'))) as {
    resource: Record<string, Record<string, unknown[]>>;
    terraform: { backend: Record<string, { bucket: string; prefix: string }[]> }[];
  };
  const counts = Object.fromEntries(
    Object.entries(hcl.resource)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, byName]) => [type, Object.keys(byName).length]),
  );
  expect(counts).toEqual(countsOf(synth(env, observabilityDefinitions(env))));
  expect(hcl.terraform[0]?.backend.gcs?.[0]).toMatchObject({ bucket: env.stateBucket, prefix: `gemini-gateway/${name}` });
});
