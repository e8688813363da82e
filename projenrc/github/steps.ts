import { ACTIONS } from './actions';
import { toolCommand } from '../container/tool-command';

/** A workflow step, as GitHub reads it. */
export type Step = Record<string, unknown>;

export const checkout = (): Step => ({ name: 'Checkout', uses: ACTIONS.checkout.uses });

export const setupNode = (nodeVersion: string): Step => ({
  name: 'Setup Node.js',
  uses: ACTIONS.setupNode.uses,
  with: { 'node-version': nodeVersion, 'cache': 'npm' },
});

/**
 * Pulls each base image the spec names, by tag (for tests that build FROM
 * the tags) and, when locked, by digest (the bytes the Dockerfile pins). The
 * spec is read by the construct's own tool, found from the project's folder.
 */
export const pullBaseImages = (projectDir: string): Step => ({
  name: 'Pull the base images (the engine tests build FROM them)',
  run: [
    `for ref in $(npx ${toolCommand(projectDir, 'container/spec-cli')} baseImages); do`,
    '  tag="${ref%%@*}"',
    '  docker pull "$tag"',
    '  if [ "$ref" != "$tag" ]; then docker pull "${tag%:*}@${ref#*@}"; fi',
    'done',
  ].join('\n'),
});
