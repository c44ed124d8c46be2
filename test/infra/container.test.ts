/**
 * The container, as far as it can be checked without a Docker engine: the Dockerfile's stages and user,
 * the build context, the Cloud Build image reference against what the infrastructure deploys, and the
 * compiled entry points (the gateway's and the key-rotation job's) starting from `dist/` with only the
 * production dependencies of the lock file installed, then stopping cleanly on SIGTERM.
 * `dist/` is compiled by jest's global setup (test/support/build-once.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROTATION_JOB_COMMAND } from '../../infra/constructs/key-rotator';
import { environment } from '../../infra/environments';
import { imageOf } from '../../infra/naming';
import { GATEWAY_NODE_FLAGS } from '../../service/node-flags';
import { freePort } from '../support/host';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1) ?? '';

  test('builds in stages from Node 22 slim and ships only compiled code and production dependencies', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-[a-z]+-slim$/m);
    expect(stages.map((s) => s.split('\n')[0])).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE} AS production-dependencies', '${NODE_IMAGE}']);
    expect(stages[0]).toContain('RUN npm run build');
    expect(stages[1]).toMatch(/RUN npm ci --omit=dev --ignore-scripts/);
    expect(runtime.match(/^COPY .*$/gm)).toEqual([
      'COPY --from=production-dependencies /app/node_modules ./node_modules',
      'COPY --from=build /app/dist ./dist',
      'COPY package.json ./',
    ]);
  });

  test('runs the gateway as the unprivileged node user', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime.indexOf('USER node')).toBeLessThan(runtime.indexOf('CMD '));
    expect(JSON.parse(/^CMD (.*)$/m.exec(runtime)?.[1] ?? 'null')).toEqual(['node', ...GATEWAY_NODE_FLAGS, 'dist/service/main.js']);
  });

  test('sends only what the build copies as context', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(' '));
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) expect(allowed).toContain(source);
  });
});

test('Cloud Build pushes the image reference the infrastructure deploys', () => {
  const dev = environment('dev');
  const pushed = /^images:\n {2}- (.+)$/m.exec(read('cloudbuild.yaml'))?.[1];
  const substituted = pushed
    ?.replace('${_REGION}', dev.region)
    .replace('$PROJECT_ID', dev.project)
    .replace('${_REPOSITORY}', 'gemini-gw')
    .replace('${_IMAGE}', 'gateway')
    .replace('${_TAG}', dev.release.tag);
  expect(substituted).toBe(imageOf(dev, dev.release.tag));
});

describe('the compiled entry points, with production dependencies only', () => {
  let app: string;

  beforeAll(() => {
    for (const entry of ['dist/service/main.js', ROTATION_JOB_COMMAND[1] ?? '']) {
      if (!existsSync(join(ROOT, entry))) throw new Error(`${entry} is missing: jest's global setup compiles service/ (npm run build)`);
    }
    app = mkdtempSync(join(tmpdir(), 'gemini-gateway-image-'));
    cpSync(join(ROOT, 'dist', 'service'), join(app, 'dist', 'service'), { recursive: true });
    writeFileSync(join(app, 'package.json'), read('package.json'));
    for (const name of productionPackages()) {
      const target = join(app, 'node_modules', name);
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', name), target, 'dir');
    }
  });

  afterAll(() => rmSync(app, { recursive: true, force: true }));

  test('the dev dependencies are really absent', () => {
    expect(existsSync(join(app, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'cdktf'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'express'))).toBe(true);
  });

  test('the gateway serves /healthz and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const gateway = start(app, [...GATEWAY_NODE_FLAGS, 'dist/service/main.js'], { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    await expectHealthy(port, gateway);
    expect(await stop(gateway)).toBe(0);
  });

  test('the key-rotation job serves /healthz and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const job = start(app, ROTATION_JOB_COMMAND.slice(1), {
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ROTATION_SECRET: 'projects/example-gemini-gw-dev/secrets/gemini-gw-gemini-api-key',
      ROTATION_KEY_PROJECT: 'example-gemini-gw-dev',
      ROTATION_BOUND_SERVICE_ACCOUNT: 'gemini-gw-runtime@example-gemini-gw-dev.iam.gserviceaccount.com',
    });
    await expectHealthy(port, job);
    expect(await stop(job)).toBe(0);
  });
});

/** Top-level packages of the lock file that production installs (`npm ci --omit=dev`), present on this machine. */
function productionPackages(): string[] {
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && entry.dev !== true && entry.link !== true)
    .map(([path]) => path.slice('node_modules/'.length))
    .filter((name) => existsSync(join(ROOT, 'node_modules', name)));
}

function start(cwd: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`${args.join(' ')} exited ${code}: ${stderr}\n`);
  });
  return child;
}

async function expectHealthy(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the process exited with ${child.exitCode} before serving`);
    // Connection refused until the process listens.
    const status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.status,
      (error: unknown) => {
        lastError = error;
        return undefined;
      },
    );
    if (status !== undefined) return expect(status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer on /healthz within 20 s: ${String(lastError)}`);
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

