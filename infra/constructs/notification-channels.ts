/**
 * Where alerts and budget notices go. E-mail channels are created here; channels that need tokens
 * (PagerDuty, Slack) are created outside Terraform and referenced by name. Each channel says which
 * routes it receives: alert severities and `budget`.
 */
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { Construct } from 'constructs';
import type { NotificationChannelConfig, NotificationRoute } from '../environment-schema';

export interface NotificationChannelsConfig {
  project: string;
  environmentName: string;
  channels: readonly NotificationChannelConfig[];
  labels: Record<string, string>;
  monitoringApi: ProjectService;
}

export class NotificationChannels extends Construct {
  private readonly routed: { receives: readonly NotificationRoute[]; id: string }[];

  constructor(scope: Construct, id: string, config: NotificationChannelsConfig) {
    super(scope, id);
    this.routed = config.channels.map((channel) => {
      if (channel.kind === 'existing') return { receives: channel.receives, id: channel.id };
      const created = new MonitoringNotificationChannel(this, channel.name, {
        project: config.project,
        displayName: `[${config.environmentName}] ${channel.name}`,
        type: 'email',
        labels: { email_address: channel.address },
        userLabels: config.labels,
        dependsOn: [config.monitoringApi],
      });
      return { receives: channel.receives, id: created.name };
    });
  }

  /** Resource names of the channels receiving `route`. */
  receiving(route: NotificationRoute): string[] {
    return this.routed.filter((c) => c.receives.includes(route)).map((c) => c.id);
  }
}
