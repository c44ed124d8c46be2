/** Runs the emulator on its own (`npm run emulator`), configured by the EMULATOR_* settings. */
import { loadConfig } from '../config/load';
import { createLogger } from '../telemetry/logger';
import { emulatorFromSettings } from './from-settings';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const emulator = emulatorFromSettings(config);
  const url = await emulator.listen(config.emulatorPort, config.host === '0.0.0.0' ? '127.0.0.1' : config.host);
  logger.info({ url, admin: config.emulatorAdmin }, `Gemini emulator listening on ${url}`);
  const stop = (): void => void emulator.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
