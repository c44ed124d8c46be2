/**
 * A monthly billing budget on the environment's project: notices at each spend threshold and when the
 * forecast crosses its threshold, sent to the channels that receive `budget`. Needs billing-account
 * permissions (see infra/README.md), not only project ones.
 */
import { BillingBudget } from '@cdktf/provider-google/lib/billing-budget';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { Construct } from 'constructs';
import type { Environment } from '../environment-schema';

export interface BudgetConfig {
  billingAccount: string;
  projectNumber: string;
  environmentName: string;
  budget: Environment['budget'];
  notificationChannels: string[];
  budgetsApi: ProjectService;
}

export class Budget extends Construct {
  readonly budget: BillingBudget;

  constructor(scope: Construct, id: string, config: BudgetConfig) {
    super(scope, id);
    const { budget } = config;
    this.budget = new BillingBudget(this, 'budget', {
      billingAccount: config.billingAccount,
      displayName: `Gemini gateway ${config.environmentName}`,
      budgetFilter: { projects: [`projects/${config.projectNumber}`], calendarPeriod: 'MONTH', creditTypesTreatment: 'INCLUDE_ALL_CREDITS' },
      amount: { specifiedAmount: { currencyCode: budget.currency, units: String(budget.amount) } },
      thresholdRules: [
        ...budget.thresholds.map((thresholdPercent) => ({ thresholdPercent, spendBasis: 'CURRENT_SPEND' })),
        { thresholdPercent: budget.forecastThreshold, spendBasis: 'FORECASTED_SPEND' },
      ],
      allUpdatesRule: {
        monitoringNotificationChannels: config.notificationChannels,
        // With channels named, billing admins need not get every notice too.
        disableDefaultIamRecipients: config.notificationChannels.length > 0,
      },
      dependsOn: [config.budgetsApi],
    });
  }
}
