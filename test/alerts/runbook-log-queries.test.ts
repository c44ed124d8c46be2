/**
 * The Cloud Logging queries in the runbooks match lines the gateway really writes. An SRE pastes them
 * during an incident; a query on a field that does not exist returns nothing and reads as "no such calls".
 * Audit fields are checked against audit lines captured from a live gateway (a success, an upstream 429,
 * an upstream 503); other fields and messages against the logging calls in `service/`; the Cloud Run service
 * they name (here and in the dashboards) against the one the infrastructure deploys by default.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environment } from '../../infra/environments';
import { resourceNames } from '../../infra/naming';
import { sha256Hex } from '../../service/pipeline/authenticate';
import { capturingLogger, startTestGateway, type TestGateway } from '../support/gateway';
import { postJson } from '../support/http';

const ROOT = join(__dirname, '..', '..');
const RUNBOOKS = join(ROOT, 'alerts', 'runbooks');

interface Filter {
  runbook: string;
  path: string[];
  op: string;
  value: string;
}

/** `jsonPayload.<path> <op> <value>` lines of the fenced blocks that are Cloud Logging queries. */
function runbookFilters(): Filter[] {
  const filters: Filter[] = [];
  for (const runbook of readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md'))) {
    const blocks = readFileSync(join(RUNBOOKS, runbook), 'utf8').split('```').filter((_, i) => i % 2 === 1);
    for (const block of blocks.filter((b) => b.includes('resource.type='))) {
      for (const match of block.matchAll(/^\s*jsonPayload\.([\w.]+)\s*(=~|!=|>=|<=|=|>|<)\s*(.+?)\s*$/gm)) {
        filters.push({ runbook, path: match[1]!.split('.'), op: match[2]!, value: match[3]!.replace(/^"(.*)"$/, '$1') });
      }
    }
  }
  return filters;
}

function serviceSources(dir = join(ROOT, 'service')): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((entry) => (entry.isDirectory() ? serviceSources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? readFileSync(join(dir, entry.name), 'utf8') : ''))
    .join('\n');
}

const filters = runbookFilters();
/** A value the SRE fills in (`CALLER_ID`). */
const PLACEHOLDER = /^[A-Z][A-Z_]+$/;
const KEY = 'team-a-secret-key';
const generate = (gateway: TestGateway): string => `${gateway.url}/v1beta/models/gemini-3.5-flash-lite:generateContent`;

describe('runbook log queries', () => {
  let gateway: TestGateway;
  const logs = capturingLogger();
  let audits: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    gateway = await startTestGateway(
      { GATEWAY_AUTH_MODE: 'keys', GATEWAY_CALLERS: JSON.stringify([{ id: 'team-a', keySha256: [sha256Hex(KEY)] }]), GATEWAY_RETRY_MAX_ATTEMPTS: '1', GATEWAY_CACHE_TTL_SECONDS: '0' },
      { logger: logs.logger },
    );
    const call = () => postJson(generate(gateway), { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, { 'x-goog-api-key': KEY });
    expect((await call()).status).toBe(200);
    for (const status of [429, 503]) {
      gateway.emulator?.faults.set([{ kind: 'status', status, count: 1 }]);
      expect((await call()).status).toBe(status);
    }
    audits = logs.lines.filter((line) => line.logName === 'audit');
  });
  afterAll(() => gateway?.stop());

  test('the runbooks have log queries to check', () => {
    expect(filters.length).toBeGreaterThanOrEqual(5);
    expect(audits).toHaveLength(3);
  });

  test('audit fields are queried where audit lines put them (`jsonPayload.audit.…`), with values they take', () => {
    for (const filter of filters) {
      const where = `${filter.runbook}: jsonPayload.${filter.path.join('.')}`;
      if (filter.path[0] === 'logName') expect({ where, value: filter.value }).toEqual({ where, value: 'audit' });
      if (filter.path[0] !== 'audit') continue;
      const field = filter.path[1]!;
      const values = audits.map((line) => (line.audit as Record<string, unknown>)[field]);
      expect({ where, present: values.some((v) => v !== undefined) }).toEqual({ where, present: true });
      if (filter.op === '=' && !PLACEHOLDER.test(filter.value)) expect({ where, matched: values.map(String).includes(filter.value) }).toEqual({ where, matched: true });
    }
  });

  test('any other filter is an equality on a message or a field that a logging call in service/ writes', () => {
    const sources = serviceSources();
    for (const filter of filters.filter((f) => f.path[0] !== 'audit' && f.path[0] !== 'logName')) {
      const where = `${filter.runbook}: jsonPayload.${filter.path.join('.')}`;
      const written = filter.path[0] === 'message' ? sources.includes(`'${filter.value}'`) : sources.includes(`${filter.path.join('.')}: '${filter.value}'`);
      expect({ where, op: filter.op, written }).toEqual({ where, op: '=', written: true });
    }
  });
});

test('log queries in the runbooks and dashboards name the Cloud Run service the infrastructure deploys by default', () => {
  const service = resourceNames(environment('dev')).service;
  const dashboards = join(ROOT, 'dashboards', 'definitions');
  const texts = [
    ...readdirSync(RUNBOOKS).map((f) => readFileSync(join(RUNBOOKS, f), 'utf8')),
    ...readdirSync(dashboards).map((f) => readFileSync(join(dashboards, f), 'utf8')),
  ];
  const named = texts.flatMap((text) => [...text.matchAll(/service_name="([^"]*)"/g)].map((m) => m[1]));
  expect(named.length).toBeGreaterThanOrEqual(10);
  expect(new Set(named)).toEqual(new Set([service]));
});
