/**
 * End to end with a real Prometheus: it scrapes a running gateway (emulator upstream) every second with the
 * rendered rules loaded, windows and for-periods shortened by the renderer's `timeScale` (1/60: an hour is
 * a minute) and nothing else changed. With healthy traffic every rule evaluates and no alert fires; with
 * the emulator answering 100% 503 the availability page fires; with the gateway gone, GatewayDown fires.
 */
import { prometheusRuleFiles } from '../../alerts/render-prometheus';
import { runbookUrl } from '../../alerts/ir';
import { createTelemetry } from '../../service/telemetry/create';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { commandAvailable } from '../support/host';
import { startPrometheus, type PrometheusAlert, type RunningPrometheus } from '../support/prometheus';
import { driveTraffic, type Traffic } from '../support/traffic';

const JOB = 'gemini-gateway';
const TIME_SCALE = 1 / 60;

const available = commandAvailable('prometheus');
if (!available) process.stderr.write("prometheus is not on PATH: skipping the end-to-end alert test (CI installs Debian's prometheus package)\n");
const describeWithPrometheus = available ? describe : describe.skip;

describeWithPrometheus('alerts in a real Prometheus scraping a real gateway', () => {
  let gateway: TestGateway;
  let prometheus: RunningPrometheus;
  let traffic: Traffic | undefined;

  const firing = async (): Promise<PrometheusAlert[]> => (await prometheus.alerts()).filter((a) => a.state === 'firing');

  beforeAll(async () => {
    const telemetry = createTelemetry({ serviceName: 'gemini-gateway', serviceVersion: 'e2e', tracesExporter: 'none', sampleRatio: 0 });
    gateway = await startTestGateway({}, { telemetry });
    prometheus = await startPrometheus({ targets: [new URL(gateway.url).host], job: JOB, ruleFiles: prometheusRuleFiles({ job: JOB, timeScale: TIME_SCALE }) });
  }, 30_000);

  afterAll(async () => {
    await traffic?.stop();
    await prometheus?.stop();
    await gateway?.stop();
  });

  test('with healthy traffic every rule evaluates and no alert fires', async () => {
    traffic = driveTraffic(gateway.url);
    await prometheus.waitFor('the gateway target to be up', async () => ((await prometheus.targetHealth()).includes('up') ? true : undefined), 15_000);
    // The SLI recording sees the live traffic (so "no alert" is not "no data").
    const ratio = await prometheus.waitFor('the availability SLI to be recorded', async () => (await prometheus.query('job:gateway_api_errors:ratio_rate5m'))[0], 15_000);
    expect(ratio.metric).toEqual({ __name__: 'job:gateway_api_errors:ratio_rate5m', job: JOB });
    expect(Number(ratio.value[1])).toBe(0);

    // Several evaluations later: every rule healthy, nothing firing.
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await firing()).toEqual([]);
    }
    expect((await prometheus.rules()).filter((r) => r.health !== 'ok')).toEqual([]);
  }, 40_000);

  test('100% upstream 503s page with GatewayAvailabilityBudgetBurn (1h/5m window)', async () => {
    gateway.emulator!.faults.set([{ kind: 'status', status: 503, probability: 1 }]);
    const alert = await prometheus.waitFor(
      'GatewayAvailabilityBudgetBurn to fire',
      async () => (await firing()).find((a) => a.labels.alertname === 'GatewayAvailabilityBudgetBurn' && a.labels.long === '1h'),
      30_000,
    );
    expect(alert.labels).toEqual({ alertname: 'GatewayAvailabilityBudgetBurn', job: JOB, severity: 'critical', long: '1h', short: '5m' });
    expect(alert.annotations).toMatchObject({ summary: expect.stringContaining('availability error budget'), runbook_url: runbookUrl('GatewayAvailabilityBudgetBurn') });
    expect(traffic!.statuses()[503]).toBeGreaterThan(0);
    gateway.emulator!.faults.clear();
  }, 40_000);

  test('a gateway that stops answering fires GatewayDown', async () => {
    await traffic?.stop();
    traffic = undefined;
    await gateway.stop();
    const alert = await prometheus.waitFor('GatewayDown to fire', async () => (await firing()).find((a) => a.labels.alertname === 'GatewayDown'), 30_000);
    expect(alert.labels).toEqual({ alertname: 'GatewayDown', job: JOB, instance: new URL(gateway.url).host, severity: 'critical' });
  }, 40_000);
});
