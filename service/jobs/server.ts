/**
 * The job's HTTP surface on Cloud Run. Pub/Sub pushes Secret Manager notifications to `secretEvents`;
 * Cloud Scheduler calls `retire`. Both arrive with an OIDC token that Cloud Run IAM checks before a
 * request reaches this code (the service is never public). Pub/Sub redelivers on any non-2xx answer, so
 * a message that can never be processed is acknowledged (and logged) instead of retried forever.
 */
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { KeyRotation } from './key-rotation';
import { ROTATION_JOB_ROUTES } from './routes';
import { MalformedEventError, parseSecretEvent } from './secret-event';

/** What may be logged of an error: its class, code and message; never request or response bodies (keys). */
export function describeError(error: unknown): { type: string; code?: unknown; message: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: 'non-error thrown' };
  return { type: error.name, ...('code' in error ? { code: error.code } : {}), message: error.message };
}

export function rotationJobApp(rotation: KeyRotation, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '256kb' }));

  app.get(ROTATION_JOB_ROUTES.health, function health(_req, res) {
    res.json({ status: 'ok' });
  });

  app.post(ROTATION_JOB_ROUTES.secretEvents, async function secretEvent(req, res) {
    let event;
    try {
      event = parseSecretEvent(req.body);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      logger.error({ error: describeError(error) }, 'acknowledged a message that is not a Secret Manager notification');
      res.status(204).end();
      return;
    }
    try {
      res.json(await rotation.rotate(event));
    } catch (error) {
      logger.error({ rotationId: event.messageId, error: describeError(error) }, 'rotation failed; Pub/Sub will redeliver the message');
      res.status(500).json({ outcome: 'failed', message: 'rotation failed, see the job logs' });
    }
  });

  app.post(ROTATION_JOB_ROUTES.retire, async function retire(_req, res) {
    try {
      res.json(await rotation.retire());
    } catch (error) {
      logger.error({ error: describeError(error) }, 'retiring previous keys failed; the next scheduled run retries');
      res.status(500).json({ outcome: 'failed', message: 'retirement failed, see the job logs' });
    }
  });

  return app;
}
