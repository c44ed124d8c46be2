/**
 * The alert definitions and their outputs: names, severities and annotations follow the conventions, every
 * alert has a runbook (and every runbook an alert), the burn-rate table is consistent, `timeScale` changes
 * durations and nothing else, the Cloud Monitoring policies inline what Prometheus records, the queries
 * use only catalogue names, and the committed rendered files match the definitions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ALERT_NAMES, ALERT_RULES } from '../../alerts/definitions';
import { seconds, scaleDuration, type Duration } from '../../alerts/durations';
import { DEFAULT_RUNBOOK_BASE_URL, runbookUrl } from '../../alerts/ir';
import { ALERT_TEST_CASES } from '../../alerts/promtool-tests';
import { alertPolicyDefinitions, cloudMonitoringAlertPolicies, toCloudMonitoringTemplate } from '../../alerts/render-cloud-monitoring';
import { dashboardDefinitions } from '../../dashboards';
import { parseObservability } from '../../infra/observability-definitions';
import { prometheusRuleFile, type PrometheusAlertingRule, type PrometheusRecordingRule } from '../../alerts/render-prometheus';
import { RENDERED_DIRS, renderedFiles } from '../../alerts/rendered-files';
import { BURN_WINDOWS, burnFactor, LATENCY_THRESHOLD_SECONDS, SLO_PERIOD, SLOS, assertLatencyThresholdIsABucket, errorBudget } from '../../alerts/slo';
import { METRICS, allPromSeriesNames, promLabelsOf, promSeriesNames } from '../../service/telemetry/metrics-catalogue';
import { groupingLabels, metricNames, selectorLabels } from './promql-names';

const ROOT = join(__dirname, '..', '..');
const RUNBOOKS = join(ROOT, 'alerts', 'runbooks');

const rules = prometheusRuleFile();
const alerting = rules.groups.flatMap((g) => g.rules).filter((r): r is PrometheusAlertingRule => 'alert' in r);
const recording = rules.groups.flatMap((g) => g.rules).filter((r): r is PrometheusRecordingRule => 'record' in r);

describe('alert definitions', () => {
  test('names are CamelCase with a Gateway or Gemini prefix, severities are critical, warning or info', () => {
    for (const rule of ALERT_RULES) {
      expect(rule.name).toMatch(/^(Gateway|Gemini)[A-Z][A-Za-z]+$/);
      expect(['critical', 'warning', 'info']).toContain(rule.severity);
    }
  });

  test('summaries are static one-liners, descriptions are set', () => {
    for (const rule of ALERT_RULES) {
      expect(rule.summary).not.toMatch(/\{\{|\n/);
      expect(rule.summary.length).toBeLessThan(120);
      expect(rule.description.length).toBeGreaterThan(20);
    }
  });

  test('rules sharing a name differ by their static labels', () => {
    for (const name of ALERT_NAMES) {
      const keys = ALERT_RULES.filter((r) => r.name === name).map((r) => JSON.stringify(r.labels ?? {}));
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  test('every alert has its runbook, named after it, with the five sections; every runbook has its alert', () => {
    const files = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md'));
    expect(files.map((f) => f.replace(/\.md$/, '')).sort()).toEqual([...ALERT_NAMES].sort());
    for (const name of ALERT_NAMES) {
      const text = readFileSync(join(RUNBOOKS, `${name}.md`), 'utf8');
      expect(text.startsWith(`# ${name}\n`)).toBe(true);
      for (const heading of ['## Meaning', '## Impact', '## Diagnosis', '## Mitigation', '## Silencing']) expect(text).toContain(`\n${heading}\n`);
    }
  });

  test('the SRE README lists every alert with its runbook', () => {
    const readme = readFileSync(join(ROOT, 'alerts', 'README.md'), 'utf8');
    for (const name of ALERT_NAMES) expect(readme).toContain(`[${name}](runbooks/${name}.md)`);
  });

  test('every rendered alert carries severity, summary, description and a runbook_url from the one pattern', () => {
    expect(alerting).toHaveLength(ALERT_RULES.length);
    for (const rule of alerting) {
      expect(Object.keys(rule.labels)).toContain('severity');
      expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
      expect(rule.annotations.runbook_url).toBe(`${DEFAULT_RUNBOOK_BASE_URL}/${rule.alert}.md`);
    }
    expect(runbookUrl('GatewayDown', 'https://runbooks.example/x/')).toBe('https://runbooks.example/x/GatewayDown.md');
  });

  test('every rule has a promtool case that fires it and one that does not', () => {
    const covered = ALERT_TEST_CASES.map((c) => `${c.alert} ${JSON.stringify(c.rule ?? {})}`).sort();
    const expected = ALERT_RULES.map((r) => `${r.name} ${JSON.stringify(r.labels ?? {})}`).sort();
    expect(covered).toEqual(expected);
  });
});

describe('SLOs and burn-rate windows', () => {
  test('the burn factors over 30 days are the SRE workbook ones (14.4, 6, 3, 1), and scale with a 28-day period', () => {
    expect(BURN_WINDOWS.map((w) => burnFactor(w))).toEqual([14.4, 6, 3, 1]);
    expect(BURN_WINDOWS.map((w) => burnFactor(w, 28))).toEqual([13.44, 5.6, 2.8, 0.9333]);
  });

  test('burn factor = budget spent × SLO period / long window; the short window is 1/12 of the long one', () => {
    for (const w of BURN_WINDOWS) {
      expect(burnFactor(w)).toBeCloseTo((w.budgetSpent * seconds(SLO_PERIOD)) / seconds(w.long), 6);
      expect(seconds(w.short)).toBe(seconds(w.long) / 12);
    }
  });

  test('error budgets are exact and the latency threshold is an HTTP bucket boundary', () => {
    expect(errorBudget(SLOS.availability)).toBe(0.001);
    expect(errorBudget(SLOS.latency)).toBe(0.01);
    expect(() => assertLatencyThresholdIsABucket()).not.toThrow();
    expect(METRICS.httpServerDuration.boundaries).toContain(LATENCY_THRESHOLD_SECONDS);
  });

  test('a recording rule exists for every window an alert reads', () => {
    const records = new Set(recording.map((r) => r.record));
    for (const rule of alerting) for (const name of metricNames(rule.expr).filter((n) => n.includes(':'))) expect(records).toContain(name);
  });
});

describe('queries use only catalogue names', () => {
  const catalogue = allPromSeriesNames();
  const recorded = new Set(recording.map((r) => r.record));
  const labelsOf = new Map<string, string[]>(Object.values(METRICS).flatMap((m) => promSeriesNames(m).map((s) => [s, promLabelsOf(m)] as [string, string[]])));
  labelsOf.set('up', []);

  test.each([...recording.map((r) => [r.record, r.expr]), ...alerting.map((r) => [`${r.alert} ${JSON.stringify(r.labels)}`, r.expr])])('%s', (_name, expr) => {
    const names = metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(catalogue.has(name) || recorded.has(name) || name === 'up').toBe(true);
    const allowed = new Set(['job', 'instance', ...names.flatMap((n) => labelsOf.get(n) ?? [])]);
    for (const { metric, labels } of selectorLabels(expr)) for (const label of labels) expect([metric, label, allowed.has(label)]).toEqual([metric, label, true]);
    for (const label of groupingLabels(expr)) expect([label, allowed.has(label)]).toEqual([label, true]);
  });
});

describe('timeScale', () => {
  const scale = 1 / 60;
  const scaled = prometheusRuleFile({ timeScale: scale });
  const mask = (expr: string): string => expr.replace(/\[\d+[smhd]\]/g, '[W]').replace(/offset \d+[smhd]/g, 'offset W');
  const durations = (expr: string): string[] => [...expr.matchAll(/\[(\d+[smhd])\]|offset (\d+[smhd])/g)].map((m) => (m[1] ?? m[2])!);

  test('changes windows and for-periods, by the factor, and nothing else', () => {
    expect(scaled.groups.map((g) => g.name)).toEqual(rules.groups.map((g) => g.name));
    rules.groups.forEach((group, g) => {
      group.rules.forEach((rule, r) => {
        const other = scaled.groups[g]!.rules[r]!;
        expect(mask(other.expr)).toBe(mask(rule.expr));
        expect(durations(other.expr)).toEqual(durations(rule.expr).map((d) => scaleDuration(d as Duration, scale)));
        if ('alert' in rule && 'alert' in other) {
          expect({ ...other, expr: '', for: '' }).toEqual({ ...rule, expr: '', for: '' });
          expect(other.for).toBe(scaleDuration(rule.for as Duration, scale));
        } else {
          expect(other).toEqual({ ...rule, expr: other.expr });
        }
      });
    });
  });

  test('turns the page window into seconds', () => {
    expect(scaleDuration('1h', scale)).toBe('1m');
    expect(scaleDuration('2m', scale)).toBe('2s');
    expect(scaleDuration('3d', scale)).toBe('72m');
    expect(() => prometheusRuleFile({ timeScale: 0 })).toThrow(/timeScale/);
  });
});

describe('Cloud Monitoring alert policies', () => {
  const policies = cloudMonitoringAlertPolicies({ runbookBaseUrl: 'https://runbooks.example/gateway' });

  test('one policy per rule, with severity, runbook link, documentation and a PromQL condition', () => {
    expect(policies).toHaveLength(ALERT_RULES.length);
    ALERT_RULES.forEach((rule, i) => {
      const policy = policies[i]!;
      const condition = policy.conditions[0]!.conditionPrometheusQueryLanguage;
      expect(policy.severity).toBe({ critical: 'CRITICAL', warning: 'WARNING', info: undefined }[rule.severity]);
      expect(policy.documentation.links).toEqual([{ displayName: 'Runbook', url: `https://runbooks.example/gateway/${rule.name}.md` }]);
      expect(policy.documentation.content).not.toContain('{{');
      expect(policy.documentation.content.length).toBeLessThan(8192);
      expect(condition).toMatchObject({ alertRule: rule.name, ruleGroup: rule.group, duration: `${seconds(rule.for)}s`, evaluationInterval: '30s', labels: { severity: rule.severity, ...rule.labels } });
      expect(policy.conditions[0]!.displayName).toBe(`${rule.group}/${rule.name}`);
    });
  });

  test('inline the SLI expressions instead of reading recording rules', () => {
    for (const policy of policies) {
      const query = policy.conditions[0]!.conditionPrometheusQueryLanguage.query;
      expect(metricNames(query).filter((n) => n.includes(':'))).toEqual([]);
    }
  });

  test('documentation templates become Cloud Monitoring variables', () => {
    expect(toCloudMonitoringTemplate('{{ $labels.instance }} of {{ $labels.job }}: {{ $value | humanizePercentage }}')).toBe('${metric.label.instance} of ${metric.label.job}: A high share');
  });
});

describe('rendered files', () => {
  function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [relative(ROOT, path).split('\\').join('/')];
    });
  }

  test('are committed exactly as the definitions render them (run `npm run render:observability`)', () => {
    const files = renderedFiles();
    const onDisk = RENDERED_DIRS.flatMap((dir) => filesUnder(join(ROOT, dir))).sort();
    expect(onDisk).toEqual([...files.keys()].sort());
    for (const [path, content] of files) expect([path, readFileSync(join(ROOT, path), 'utf8') === content]).toEqual([path, true]);
  });
});

describe('the shapes infra/ validates', () => {
  test('alert policy definitions: unique CamelCase names, Prometheus durations, runbook URLs, inlined SLIs', () => {
    const definitions = alertPolicyDefinitions();
    expect(definitions).toHaveLength(ALERT_RULES.length);
    expect(new Set(definitions.map((d) => d.alert)).size).toBe(definitions.length);
    for (const d of definitions) {
      expect(d.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(d.for).toMatch(/^(\d+[dhms])+$/);
      expect(d.runbookUrl).toMatch(/^https:\/\/.+\/(Gateway|Gemini)[A-Za-z]+\.md$/);
      expect(d.description).not.toContain('{{');
      expect(metricNames(d.expr).filter((n) => n.includes(':'))).toEqual([]);
    }
    expect(definitions.map((d) => d.alert)).toContain('GatewayAvailabilityBudgetBurn1h5m');
  });

  test("an environment's own SLO sets the burn thresholds and their text: 99% over 28 days", () => {
    const burn = alertPolicyDefinitions({ slo: { availabilityObjective: 0.99, periodDays: 28 } }).find((d) => d.alert === 'GatewayAvailabilityBudgetBurn1h5m');
    // 2% of a 28-day budget in one hour is a burn rate of 13.44; the budget is 1%.
    expect(burn?.expr).toContain('> (13.44 * 0.01)');
    expect(burn?.summary).toBe('The gateway is burning its 28-day availability error budget too fast.');
    expect(burn?.description).toContain('(burn rate 13.44x; the 99% SLO allows 1%). At this rate 2% of the 28-day error budget is gone within 1h.');
    const defaults = alertPolicyDefinitions().find((d) => d.alert === 'GatewayAvailabilityBudgetBurn1h5m');
    expect(defaults?.expr).toContain('> (14.4 * 0.001)');
  });

  test('a gateway that scales to zero is down only when a target is down, not when there is none', () => {
    const down = (scalesToZero: boolean) => alertPolicyDefinitions({ scalesToZero }).find((d) => d.alert === 'GatewayDown')?.expr;
    expect(down(true)).toBe('up{job="gemini-gateway"} == 0');
    expect(down(false)).toBe('up{job="gemini-gateway"} == 0\nor\nabsent(up{job="gemini-gateway"})');
  });

  test("infra's own validation accepts them", () => {
    expect(() => parseObservability({ alertPolicies: alertPolicyDefinitions(), dashboards: dashboardDefinitions() })).not.toThrow();
  });

  test('dashboard definitions: lowercase names and Cloud Monitoring JSON', () => {
    const definitions = dashboardDefinitions();
    expect(definitions.map((d) => d.name)).toEqual(['gemini-gateway-overview', 'gemini-gateway-upstream', 'gemini-gateway-tokens-cost', 'gemini-gateway-policy']);
    for (const d of definitions) expect(d.dashboard).toMatchObject({ displayName: expect.any(String), mosaicLayout: { columns: 48 } });
  });
});
