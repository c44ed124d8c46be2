/**
 * Where the rendered GKE manifests of each environment are committed, and their exact contents: the
 * renderer writes them, a test checks they match the environments (so a change to either is reviewed as a
 * change to what kubectl applies).
 */
import { resolve } from 'node:path';
import type { Environment } from '../environment-schema';
import { gatewayManifests } from './gateway-manifests';

/** Relative to the repository root, where npm scripts and tests run (this module also runs compiled, from dist/). */
export const RENDERED_DIR = resolve('infra/kubernetes/rendered');

export function renderedFileName(env: Environment): string {
  return `${env.name}.json`;
}

export function renderedFiles(environments: readonly Environment[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const env of environments) {
    if (env.platform === 'gke') files.set(renderedFileName(env), `${JSON.stringify(gatewayManifests(env), null, 2)}\n`);
  }
  return files;
}
