/** Cloud Monitoring dashboards from dashboard definitions (see observability-definitions.ts), titled per environment. */
import { MonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { Construct } from 'constructs';
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
    this.dashboards = config.dashboards.map(
      (d) =>
        new MonitoringDashboard(this, d.name, {
          project: config.project,
          dashboardJson: JSON.stringify({ ...d.dashboard, displayName: `[${config.environmentName}] ${d.dashboard.displayName}` }),
          dependsOn: [config.monitoringApi],
        }),
    );
  }
}
