/**
 * Writes the GKE manifests of every environment on GKE to infra/kubernetes/rendered/<env>.json (and
 * removes files of environments no longer on GKE). `--check` writes nothing and fails on any difference.
 * Run with `npm run render:kubernetes [-- --check]`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS } from './environments';
import { RENDERED_DIR, renderedFiles } from './kubernetes/rendered-files';

const check = process.argv.includes('--check');
const wanted = renderedFiles(ENVIRONMENTS);
const present = existsSync(RENDERED_DIR) ? readdirSync(RENDERED_DIR).filter((f) => f.endsWith('.json')) : [];
const drift: string[] = [];

for (const [file, contents] of wanted) {
  const path = join(RENDERED_DIR, file);
  if (existsSync(path) && readFileSync(path, 'utf8') === contents) continue;
  drift.push(file);
  if (!check) {
    mkdirSync(RENDERED_DIR, { recursive: true });
    writeFileSync(path, contents);
  }
}
for (const file of present.filter((f) => !wanted.has(f))) {
  drift.push(file);
  if (!check) rmSync(join(RENDERED_DIR, file));
}

if (drift.length === 0) process.stdout.write(`Kubernetes manifests are up to date (${wanted.size} environment(s) on GKE).\n`);
else if (check) {
  process.stderr.write(`Kubernetes manifests differ from the environments: ${drift.join(', ')}. Run npm run render:kubernetes.\n`);
  process.exitCode = 1;
} else process.stdout.write(`Rendered ${drift.join(', ')} into ${RENDERED_DIR}.\n`);
