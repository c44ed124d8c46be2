/**
 * Text with Cloud Monitoring's `${…}` variables reaches Terraform verbatim: as a file asset read with
 * `file()`, in the JSON synth and after `cdktf synth --hcl` alike (hcl-exit.test.ts covers the latter).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { literalFile } from '../../infra/literal-file';

test('the synthesized stack ships the text untouched and reads it with file()', () => {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'literal');
  const text = 'Requests to ${metric.label.job} failed; %{ not a directive }\n';
  new TerraformOutput(stack, 'doc', { value: literalFile(stack, 'doc-file', 'doc.md', text) });
  const outdir = Testing.fullSynth(stack);
  const json = JSON.parse(readFileSync(join(outdir, 'stacks', 'literal', 'cdk.tf.json'), 'utf8')) as { output: { doc: { value: string } } };
  const expression = /^\$\{file\("(assets\/[^"]+\/doc\.md)"\)\}$/.exec(json.output.doc.value);
  expect(expression).not.toBeNull();
  expect(readFileSync(join(outdir, 'stacks', 'literal', expression?.[1] ?? ''), 'utf8')).toBe(text);
});
