/**
 * Cloud Monitoring dashboards from dashboard definitions (see observability-definitions.ts), titled per
 * environment. The JSON holds Cloud Monitoring's `${metric.labels.x}` legend variables, so it ships as a
 * literal file (see literal-file.ts).
 */
import { MonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { Construct } from 'constructs';
import { literalFile } from '../literal-file';
import type { Dashboard } from '../observability-definitions';

export interface DashboardsConfig {
  project: string;
  environmentName: string;
  dashboards: readonly Dashboard[];
  monitoringApi: ProjectService;
}

export class Dashboards extends Construct {
  readonly dashboards: MonitoringDashboard[];

  constructor(scope: Construct, id: string, config: DashboardsConfig) {
    super(scope, id);
    this.dashboards = config.dashboards.map((d) => {
      const json = JSON.stringify({ ...d.dashboard, displayName: `[${config.environmentName}] ${d.dashboard.displayName}` }, null, 2);
      return new MonitoringDashboard(this, d.name, {
        project: config.project,
        dashboardJson: literalFile(this, `${d.name}-json`, `${d.name}.json`, `${json}\n`),
        dependsOn: [config.monitoringApi],
      });
    });
  }
}
