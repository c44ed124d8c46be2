/** Every dashboard, in the order they are listed. */
import { DEFAULT_SLO_TARGETS, type SloTargets } from '../../alerts/slo';
import type { DashboardDefinition } from '../ir';
import { overviewFor } from './overview';
import { policy } from './policy';
import { tokensCost } from './tokens-cost';
import { upstream } from './upstream';

/** The dashboards for an SLO (the overview draws its objective, period and burn thresholds). */
export function dashboardsFor(slo: SloTargets): readonly DashboardDefinition[] {
  return [overviewFor(slo), upstream, tokensCost, policy];
}

/** The dashboards for the repository's own SLO: what is rendered for Grafana and Cloud Monitoring. */
export const DASHBOARDS: readonly DashboardDefinition[] = dashboardsFor(DEFAULT_SLO_TARGETS);
