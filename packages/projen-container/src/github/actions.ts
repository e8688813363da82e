import type { RenovatePin } from '../renovate';
import { ownSourcePin } from '../source-file';

/**
 * Every action any of the project's workflows uses, pinned to the full commit
 * SHA of its release tag (a moved tag cannot change what runs with
 * `packages: write`). The one pin set: container.yml renders from it and
 * projen's own workflows (build.yml, release.yml) resolve through it (see
 * {@link pinActions}).
 *
 * Renovate updates this table (docs/updates.md): keep each entry on one line,
 * `uses` before `version`, both single-quoted.
 */
export const ACTIONS = {
  checkout: { uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  setupNode: { uses: 'actions/setup-node@820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
  uploadArtifact: { uses: 'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', version: 'v7.0.0' },
  downloadArtifact: { uses: 'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', version: 'v8.0.1' },
  setupBuildx: { uses: 'docker/setup-buildx-action@37fe631027851001ddb9b187196cc803df7f5f0e', version: 'v4.3.0' },
  metadata: { uses: 'docker/metadata-action@dc802804100637a589fabce1cb79ff13a1411302', version: 'v6.2.0' },
  login: { uses: 'docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121', version: 'v4.1.0' },
  buildPush: { uses: 'docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a', version: 'v7.3.0' },
  hadolint: { uses: 'hadolint/hadolint-action@2332a7b74a6de0dda2e2221d575162eba76ba5e5', version: 'v3.3.0' },
  trivy: { uses: 'aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25', version: 'v0.36.0' },
  sbom: { uses: 'anchore/sbom-action@e22c389904149dbc22b58101806040fa8d37a610', version: 'v0.24.0' },
  attest: { uses: 'actions/attest@1e69f48acb82d1966a394da916b4c1698aa569d6', version: 'v4.2.2' },
  attestProvenance: { uses: 'actions/attest-build-provenance@a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32', version: 'v4.1.0' },
} as const;

/**
 * Renovate's view of {@link ACTIONS}, where the project holds this file as source (see `ownSourcePin`): the new
 * tag and its commit SHA, in one edit.
 */
export function actionPins(projectDir: string): RenovatePin | undefined {
  return ownSourcePin(projectDir, __filename, {
    description: 'GitHub Actions pins',
    matchString: "uses: '(?<depName>[\\w.-]+/[\\w.-]+)@(?<currentDigest>[a-f0-9]{40})', version: '(?<currentValue>v[^']+)'",
    datasource: 'github-tags',
  });
}

/** Makes every projen-generated workflow resolve its actions through {@link ACTIONS}. */
export function pinActions(github: { actions: { set(action: string, override: string): void } }): void {
  for (const { uses } of Object.values(ACTIONS)) github.actions.set(uses.split('@')[0], uses);
}
