/** `npm start` runs the gateway with the Node flags production uses (the Dockerfile's are checked in test/infra/container.test.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_NODE_FLAGS } from '../../service/node-flags';

test('npm start builds, then runs node with the gateway flags', () => {
  const { scripts } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(scripts.start).toBe(`npm run build && node ${GATEWAY_NODE_FLAGS.join(' ')} dist/service/main.js`);
});

test('the Node this runs on accepts every flag', () => {
  for (const flag of GATEWAY_NODE_FLAGS) expect(process.allowedNodeEnvironmentFlags.has(flag.split('=')[0] ?? flag)).toBe(true);
});
