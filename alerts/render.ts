/**
 * `npm run render:observability`: writes every generated alert, test and dashboard file (see `rendered-files.ts`) under
 * the current directory (the repository root) and removes generated files that are no longer rendered.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { RENDERED_DIRS, renderedFiles } from './rendered-files';

function filesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function main(root: string): void {
  const files = renderedFiles();
  let written = 0;
  for (const [path, content] of files) {
    const target = join(root, path);
    let current: string | undefined;
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    written += 1;
    process.stdout.write(`wrote ${path}\n`);
  }
  for (const dir of RENDERED_DIRS) {
    for (const file of filesUnder(join(root, dir))) {
      const path = relative(root, file).split('\\').join('/');
      if (!files.has(path)) {
        rmSync(file);
        process.stdout.write(`removed ${path}\n`);
      }
    }
  }
  process.stdout.write(`${files.size} generated files, ${written} changed\n`);
}

main(process.cwd());
