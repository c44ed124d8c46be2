/**
 * Provider resources are imported by deep path (`@cdktf/provider-google/lib/<resource>`): the package root
 * loads all ~1,500 bindings (10-20 s and most of a gigabyte per synth). Also checks the arrows point one
 * way: infra may import service/, never the reverse.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : typescriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/\bfrom '([^']+)'/g)].map((m) => m[1] ?? '');

test('infra and its tests import Google provider resources by deep path only', () => {
  const barrel = [...typescriptFiles(join(ROOT, 'infra')), ...typescriptFiles(join(ROOT, 'test', 'infra'))].filter((file) => importsOf(file).includes('@cdktf/provider-google'));
  expect(barrel.map((f) => relative(ROOT, f))).toEqual([]);
  expect(importsOf(join(ROOT, 'infra', 'constructs', 'redis.ts'))).toContain('@cdktf/provider-google/lib/redis-instance');
});

test('service/ imports nothing from infra/', () => {
  const offending = typescriptFiles(join(ROOT, 'service')).filter((file) => importsOf(file).some((source) => /(^|\/)infra\//.test(source)));
  expect(offending.map((f) => relative(ROOT, f))).toEqual([]);
});
