/**
 * Settings of the key-rotation job: the one home of their names (the infrastructure imports them to set
 * the job's environment), types and defaults. A bad value stops start-up with a message naming it.
 */
import { z } from 'zod';
import { SETTINGS } from '../config/settings';

export const ROTATION_JOB_SETTINGS = {
  port: SETTINGS.port,
  logLevel: SETTINGS.logLevel,
  secret: {
    env: 'ROTATION_SECRET',
    schema: z.string().regex(/^projects\/[^/]+\/secrets\/[^/]+$/, 'must be projects/<project>/secrets/<secret-id>'),
    doc: 'The Secret Manager secret holding the Gemini API key the gateway mounts.',
  },
  keyProject: {
    env: 'ROTATION_KEY_PROJECT',
    schema: z.string().regex(/^[a-z0-9][a-z0-9-]{4,29}$/, 'must be a Google Cloud project id or number'),
    doc: 'Project in which the API keys are created (the gateway project).',
  },
  boundServiceAccount: {
    env: 'ROTATION_BOUND_SERVICE_ACCOUNT',
    schema: z.email('must be a service account e-mail address'),
    doc: "Service account every new key is bound to: the gateway's runtime identity.",
  },
  graceSeconds: {
    env: 'ROTATION_GRACE_SECONDS',
    schema: z.coerce.number().int().min(60).default(3600),
    doc: 'How long the previous key keeps working after a new one is published, in seconds.',
  },
} as const satisfies Record<string, { env: string; schema: z.ZodType; doc: string }>;

type JobSettingKey = keyof typeof ROTATION_JOB_SETTINGS;
export type RotationJobConfig = { [K in JobSettingKey]: z.output<(typeof ROTATION_JOB_SETTINGS)[K]['schema']> };

export class RotationJobConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationJobConfigError';
  }
}

export function loadRotationJobConfig(env: NodeJS.ProcessEnv = process.env): RotationJobConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(ROTATION_JOB_SETTINGS)) {
    const raw = env[spec.env];
    const result = spec.schema.safeParse(raw === '' ? undefined : raw);
    if (result.success) out[key] = result.data;
    else problems.push(...result.error.issues.map((issue) => `${spec.env}: ${issue.message}`));
  }
  if (problems.length > 0) throw new RotationJobConfigError(`Invalid key-rotation job configuration:\n  ${problems.join('\n  ')}`);
  return out as RotationJobConfig;
}
