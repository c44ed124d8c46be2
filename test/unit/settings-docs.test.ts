/** The README's settings table and `.env.example` are what the catalogue renders (run `npm run docs`). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS } from '../../service/config/settings';
import { envExample, withSettingsTable } from '../../service/config/settings-docs';

const root = join(__dirname, '..', '..');

test('README settings table is current', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  expect(withSettingsTable(readme)).toBe(readme);
});

test('.env.example is current', () => {
  expect(readFileSync(join(root, '.env.example'), 'utf8')).toBe(envExample());
});

test('every setting has a unique environment name and documentation', () => {
  const names = Object.values(SETTINGS).map((s) => s.env);
  expect(new Set(names).size).toBe(names.length);
  for (const spec of Object.values(SETTINGS)) expect(spec.doc.length).toBeGreaterThan(10);
});
