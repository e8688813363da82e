import { ACTIONS } from './actions';
import type { PackageManager } from '../container/package-manager';
import { setupCommand } from '../container/package-manager';
import { toolCommand } from '../container/tool-command';

/** A workflow step, as GitHub reads it. */
export type Step = Record<string, unknown>;

export const checkout = (): Step => ({ name: 'Checkout', uses: ACTIONS.checkout.uses });

/** setup-node caches only for a manager already on PATH: npm comes with node, pnpm is installed after it. */
export const setupNode = (nodeVersion: string, pm: PackageManager): Step => ({
  name: 'Setup Node.js',
  uses: ACTIONS.setupNode.uses,
  with: { 'node-version': nodeVersion, ...(pm.name === 'npm' ? { cache: 'npm' } : {}) },
});

/** The project's dependencies, frozen to its lockfile, by its manager, installed first at its exact version where node lacks it. */
export const installDependencies = (pm: PackageManager): Step[] => {
  const setup = setupCommand(pm);
  return [
    ...(setup ? [{ name: `Setup ${pm.name} ${pm.version}`, run: setup }] : []),
    { name: 'Install dependencies', run: pm.install },
  ];
};

/**
 * Pulls each base image the spec names, by tag (for tests that build FROM
 * the tags) and, when locked, by digest (the bytes the Dockerfile pins). The
 * spec is read by the package's own tool, found from the project's folder.
 */
export const pullBaseImages = (projectDir: string): Step => ({
  name: 'Pull the base images (the engine tests build FROM them)',
  run: [
    `for ref in $(${toolCommand(projectDir, 'container/spec-cli')} baseImages); do`,
    '  tag="${ref%%@*}"',
    '  docker pull "$tag"',
    '  if [ "$ref" != "$tag" ]; then docker pull "${tag%:*}@${ref#*@}"; fi',
    'done',
  ].join('\n'),
});
