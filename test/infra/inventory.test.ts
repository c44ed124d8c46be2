/**
 * The inventory of every environment and scenario: resource types and their counts, compared with the
 * committed test/infra/expected/inventory.json. Adding or removing a resource is a reviewed change:
 * regenerate on purpose with `UPDATE_INVENTORY=1 npx jest test/infra/inventory.test.ts` and commit the file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { environment, ENVIRONMENTS } from '../../infra/environments';
import { observabilityDefinitions } from '../../infra/observability-definitions';
import { OBSERVABILITY_FIXTURE, SCENARIOS } from './scenarios';
import { countsOf, synth } from './synth';

const INVENTORY_FILE = join(__dirname, 'expected', 'inventory.json');

test('every environment and scenario synthesizes exactly the committed inventory', () => {
  const actual = {
    // What `npm run synth` deploys, alert and dashboard definitions included.
    ...Object.fromEntries(ENVIRONMENTS.map((env) => [env.name, countsOf(synth(env, observabilityDefinitions(env)))])),
    ...Object.fromEntries(Object.entries(SCENARIOS).filter(([name]) => !ENVIRONMENTS.some((e) => e.name === name)).map(([name, env]) => [name, countsOf(synth(env))])),
    'staging with the alert and dashboard fixture': countsOf(synth(environment('staging'), OBSERVABILITY_FIXTURE)),
  };
  if (process.env.UPDATE_INVENTORY === '1') writeFileSync(INVENTORY_FILE, `${JSON.stringify(actual, null, 2)}\n`);

  expect(existsSync(INVENTORY_FILE)).toBe(true);
  const expected = JSON.parse(readFileSync(INVENTORY_FILE, 'utf8')) as unknown;
  // On a difference: if the change is intended, regenerate with UPDATE_INVENTORY=1 (see above) and commit.
  expect(actual).toEqual(expected);
});
