/**
 * The Docker repository the environment's images live in. Tags are immutable, so a release tag names one
 * image forever and promotion by tag is safe; old untagged images are cleaned up, recent releases kept.
 */
import { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { Construct } from 'constructs';

export interface ArtifactRegistryConfig {
  project: string;
  location: string;
  repositoryId: string;
  labels: Record<string, string>;
  /** Releases kept regardless of age (rollback targets). */
  keepReleases?: number;
  api: ProjectService;
}

export class ArtifactRegistry extends Construct {
  readonly repository: ArtifactRegistryRepository;

  constructor(scope: Construct, id: string, config: ArtifactRegistryConfig) {
    super(scope, id);
    this.repository = new ArtifactRegistryRepository(this, 'repository', {
      project: config.project,
      location: config.location,
      repositoryId: config.repositoryId,
      format: 'DOCKER',
      description: 'Gemini gateway images',
      labels: config.labels,
      dockerConfig: { immutableTags: true },
      cleanupPolicyDryRun: false,
      cleanupPolicies: [
        { id: 'keep-recent-releases', action: 'KEEP', mostRecentVersions: { keepCount: config.keepReleases ?? 20 } },
        { id: 'delete-old-untagged', action: 'DELETE', condition: { tagState: 'UNTAGGED', olderThan: `${30 * 24 * 3600}s` } },
      ],
      dependsOn: [config.api],
    });
  }
}
