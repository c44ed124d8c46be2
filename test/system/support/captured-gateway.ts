/**
 * An in-process gateway whose JSON log lines are kept for assertions: built like `startTestGateway` (and
 * like production) from `loadConfig` + `startGateway`, but with the production logger writing into an
 * array instead of a silent one.
 */
import { loadConfig } from '../../../service/config/load';
import { startGateway, type RunningGateway } from '../../../service/gateway';
import { createLogger } from '../../../service/telemetry/logger';

export interface CapturedGateway {
  gateway: RunningGateway;
  url: string;
  /** Every line the gateway logged, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Every line exactly as written, for searching text anywhere in it. */
  rawLines: string[];
  stop(): Promise<void>;
}

export async function startCapturedGateway(env: Record<string, string>, level = 'info'): Promise<CapturedGateway> {
  const logs: Array<Record<string, unknown>> = [];
  const rawLines: string[] = [];
  const logger = createLogger(level, {
    write: (line: string) => {
      rawLines.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: level, ...env });
  const gateway = await startGateway(config, { logger });
  return { gateway, url: gateway.url, logs, rawLines, stop: () => gateway.shutdown(0) };
}

/** Log lines whose message contains `text`. */
export function linesSaying(logs: ReadonlyArray<Record<string, unknown>>, text: string): Array<Record<string, unknown>> {
  return logs.filter((line) => typeof line.message === 'string' && line.message.includes(text));
}
