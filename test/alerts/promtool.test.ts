/**
 * The real tool on the real files: `promtool check rules --lint=all --lint-fatal` on every rendered rule
 * file, `promtool test rules` on every rendered test file (each alert fires at its `for` boundary and stays
 * silent on healthy series), and every dashboard query parses as PromQL.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toYaml } from '../../alerts/yaml';
import { PROMETHEUS_RULES_DIR, PROMTOOL_TESTS_DIR } from '../../alerts/rendered-files';
import { DASHBOARDS, CLOUD_MONITORING_QUERY_CONTEXT, GRAFANA_QUERY_CONTEXT } from '../../dashboards';
import { dashboardQueries } from '../../dashboards/ir';
import { commandAvailable } from '../support/host';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

const available = commandAvailable('promtool');
if (!available) process.stderr.write('promtool is not on PATH: skipping promtool checks (CI installs Debian\'s prometheus package, which brings it)\n');
const withPromtool = available ? test : test.skip;

async function promtool(args: string[], cwd = ROOT): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const ruleFiles = readdirSync(join(ROOT, PROMETHEUS_RULES_DIR)).map((f) => `${PROMETHEUS_RULES_DIR}/${f}`);
const testFiles = readdirSync(join(ROOT, PROMTOOL_TESTS_DIR)).map((f) => `${PROMTOOL_TESTS_DIR}/${f}`);

withPromtool('promtool check rules --lint=all --lint-fatal accepts every rule file', async () => {
  const result = await promtool(['check', 'rules', '--lint=all', '--lint-fatal', ...ruleFiles]);
  expect(result).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
  expect(result.output).not.toMatch(/FAILED|WARNING/);
});

describe('promtool test rules', () => {
  test.each(testFiles)('%s', async (file) => {
    if (!available) return;
    const result = await promtool(['test', 'rules', file]);
    // A rule_files path that matches nothing is only a warning, after which every alert test fails with got:[].
    expect(result.output).not.toContain('no file match');
    expect([result.code, result.output]).toEqual([0, expect.stringContaining('SUCCESS')]);
  });
});

withPromtool('every dashboard query parses as PromQL', async () => {
  // Grafana variables are not PromQL: substitute values of the same shape before parsing.
  const substitute = (expr: string): string => expr.replace(/\$__rate_interval/g, '5m').replace(/\$(job|instance|model)\b/g, '.+');
  const queries = DASHBOARDS.flatMap((d) => [...dashboardQueries(d, GRAFANA_QUERY_CONTEXT).map(substitute), ...dashboardQueries(d, CLOUD_MONITORING_QUERY_CONTEXT)]);
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-queries-'));
  try {
    const file = join(dir, 'queries.rules.yaml');
    writeFileSync(file, toYaml({ groups: [{ name: 'dashboard-queries', rules: queries.map((expr, i) => ({ record: `dashboard_query_${i}`, expr })) }] }));
    const result = await promtool(['check', 'rules', file]);
    expect([result.code, result.output]).toEqual([0, expect.stringContaining(`SUCCESS: ${queries.length} rules found`)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
