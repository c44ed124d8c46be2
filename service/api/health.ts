/**
 * Probes. `/healthz`: the process serves HTTP (liveness). `/readyz`: it can do useful work: upstream
 * credentials are loaded, every state store answers, and it is not draining for shutdown (readiness).
 */
import { Router } from 'express';
import { GoogleApiError } from '../protocol/errors';
import { sendGoogleError } from './render-error';
import { HEALTH_PATH, READINESS_PATH } from '../telemetry/operational-paths';

export interface ReadinessCheck {
  name: string;
  ready(): boolean | Promise<boolean>;
}

export function healthRoutes(checks: readonly ReadinessCheck[], isDraining: () => boolean): Router {
  const router = Router();
  router.get(HEALTH_PATH, function healthz(_req, res) {
    res.json({ status: 'ok' });
  });
  router.get(READINESS_PATH, async function readyz(_req, res) {
    if (isDraining()) return sendGoogleError(res, new GoogleApiError(503, 'Not ready: the gateway is shutting down.'));
    const results = await Promise.all(checks.map(async (c) => [c.name, await Promise.resolve(c.ready()).catch(() => false)] as const));
    const failing = results.filter(([, ok]) => !ok).map(([name]) => name);
    if (failing.length > 0) return sendGoogleError(res, new GoogleApiError(503, `Not ready: ${failing.join(', ')}.`));
    res.json({ status: 'ready', checks: Object.fromEntries(results) });
  });
  return router;
}
