/**
 * `node --require ./test/bench/ts-hook.js file.ts`: runs the benchmark's TypeScript (and the service code it
 * imports) without a build step. Each `.ts` file is transpiled on load with the installed TypeScript
 * compiler, one file at a time (the project compiles with `isolatedModules`, so per-file output is what
 * `tsc` emits for that file, minus source maps). Types are not checked here: `npm run typecheck` does that.
 *
 * Output is cached on disk (node_modules/.cache/gemini-gateway-bench, keyed by the file's content, the
 * compiler options and the TypeScript version), and the compiler is loaded only on a cache miss. The load
 * generator warms the cache (`warm`) before it starts the servers, so a measured process never holds the
 * TypeScript compiler in memory; `compilerLoaded()` tells whether it did anyway.
 *
 * Plain JavaScript on purpose: it has to run before anything TypeScript can be loaded.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'gemini-gateway-bench');
const tsconfigText = fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8');
const tsVersion = JSON.parse(fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')).version;

let ts;
let compilerOptions;

function transpile(filename, source) {
  if (!ts) {
    ts = require('typescript');
    const fromTsconfig = ts.convertCompilerOptionsFromJson(JSON.parse(tsconfigText).compilerOptions, root).options;
    compilerOptions = { ...fromTsconfig, module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: false, declaration: false, noEmit: false };
  }
  return ts.transpileModule(source, { fileName: filename, compilerOptions }).outputText;
}

/** The JavaScript for one TypeScript file, from the cache or freshly transpiled (and cached). */
function compiled(filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(`${tsVersion}\n${tsconfigText}\n${filename}\n${source}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const output = transpile(filename, source);
    fs.mkdirSync(cacheDir, { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
    return output;
  }
}

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  module._compile(compiled(filename), filename);
};

/** Transpiles (into the cache) every non-test `.ts` file under `dirs`, so the processes started next load none of the compiler. */
function warm(dirs) {
  for (const dir of dirs) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
        compiled(path.join(entry.parentPath ?? entry.path, entry.name));
      }
    }
  }
}

module.exports = { warm, compilerLoaded: () => ts !== undefined };
