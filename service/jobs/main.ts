/**
 * The key-rotation job's process (`node dist/service/jobs/main.js`): configuration → Google clients →
 * HTTP server → graceful stop on SIGTERM. Runs as its own Cloud Run service, one instance at a time.
 */
import type { Server } from 'node:http';
import { createLogger } from '../telemetry/logger';
import { loadRotationJobConfig, RotationJobConfigError } from './config';
import { createGoogleClients } from './google-clients';
import { GoogleApiKeyStore } from './google-api-key-store';
import { GoogleSecretVersionStore } from './google-secret-version-store';
import { KeyRotation } from './key-rotation';
import { describeError, rotationJobApp } from './server';

function main(): void {
  const config = loadRotationJobConfig();
  const logger = createLogger(config.logLevel);
  const clients = createGoogleClients();
  const rotation = new KeyRotation({
    secretName: config.secret,
    keys: new GoogleApiKeyStore({ client: clients.apiKeys, project: config.keyProject, secretName: config.secret, boundServiceAccount: config.boundServiceAccount }),
    versions: new GoogleSecretVersionStore({ client: clients.secretManager, secretName: config.secret }),
    graceMs: config.graceSeconds * 1000,
    logger,
  });
  const server: Server = rotationJobApp(rotation, logger).listen(config.port, () => {
    logger.info({ port: config.port, secret: config.secret, graceSeconds: config.graceSeconds }, 'key-rotation job listening');
  });

  process.once('SIGTERM', () => {
    logger.info('SIGTERM: finishing in-flight requests');
    server.close(() => {
      clients
        .close()
        .catch((error: unknown) => logger.warn({ error: describeError(error) }, 'closing the Google clients failed'))
        .finally(() => {
          logger.flush();
          process.exit(0);
        });
    });
  });
}

try {
  main();
} catch (error) {
  const message = error instanceof RotationJobConfigError ? error.message : `key-rotation job failed to start: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
