/** `npm run docs`: rewrites the README's settings table and `.env.example` from the settings catalogue. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envExample, withSettingsTable } from './settings-docs';

const root = join(__dirname, '..', '..', '..');
const readmePath = join(root, 'README.md');
writeFileSync(readmePath, withSettingsTable(readFileSync(readmePath, 'utf8')));
writeFileSync(join(root, '.env.example'), envExample());
process.stdout.write('README.md settings table and .env.example rewritten\n');
