/** Starts a standalone emulator on 127.0.0.1 with an ephemeral port. */
import { GeminiEmulator, type EmulatorOptions } from '../../service/emulator/server';

export async function startEmulator(options: EmulatorOptions = {}): Promise<{ emulator: GeminiEmulator; url: string }> {
  const emulator = new GeminiEmulator(options);
  const url = await emulator.listen(0, '127.0.0.1');
  return { emulator, url };
}
