/** Every dashboard, in the order they are listed. */
import type { DashboardDefinition } from '../ir';
import { overview } from './overview';
import { policy } from './policy';
import { tokensCost } from './tokens-cost';
import { upstream } from './upstream';

export const DASHBOARDS: readonly DashboardDefinition[] = [overview, upstream, tokensCost, policy];
