/**
 * Text that must reach Google exactly as written, shipped as a file asset and read with Terraform's
 * `file()`. Terraform reads every inline string as a template (`${…}` interpolates), and Cloud Monitoring
 * uses that very syntax for its own variables (`${metric.label.job}` in alert documentation and dashboard
 * legends); an escaped `$${…}` survives the JSON synth but not `cdktf synth --hcl`. `file()` returns the
 * content untouched in both.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssetType, Fn, TerraformAsset } from 'cdktf';
import type { Construct } from 'constructs';

/** Where the files are written before synth copies them into each stack's assets. */
const STAGING_DIR = mkdtempSync(join(tmpdir(), 'gemini-gateway-literals-'));
let written = 0;

/** A Terraform expression whose value is `text`, verbatim. */
export function literalFile(scope: Construct, id: string, fileName: string, text: string): string {
  const dir = join(STAGING_DIR, String(written++));
  mkdirSync(dir);
  const path = join(dir, fileName);
  writeFileSync(path, text);
  const asset = new TerraformAsset(scope, id, { path, type: AssetType.FILE });
  return Fn.file(asset.path);
}
