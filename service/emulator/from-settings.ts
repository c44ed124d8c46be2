/** Builds an emulator from the EMULATOR_* settings (shared by the standalone and the embedded one). */
import type { Settings } from '../config/settings';
import { parseFaults } from './faults';
import { GeminiEmulator } from './server';

export function emulatorFromSettings(settings: Settings): GeminiEmulator {
  return new GeminiEmulator({
    latencyMs: settings.emulatorLatencyMs,
    latencyJitterMs: settings.emulatorLatencyJitterMs,
    chunkIntervalMs: settings.emulatorChunkIntervalMs,
    faults: parseFaults(settings.emulatorFaults),
    admin: settings.emulatorAdmin,
    apiKeys: settings.emulatorApiKeys?.split(',').map((k) => k.trim()).filter((k) => k.length > 0),
  });
}
