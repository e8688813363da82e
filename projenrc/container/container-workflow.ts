import { Component } from 'projen';
import { stringify } from 'yaml';
import type { ContainerImage } from './container-image';
import { IMAGE_TASKS } from './container-image';
import { GeneratedFile } from '../generated-file';

/**
 * Third-party actions, pinned to full commit SHAs (a moved tag cannot change
 * what runs with `packages: write`); the version goes into a `# vX` comment
 * that Dependabot and Renovate read.
 */
export const ACTIONS = {
  checkout: { uses: 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', version: 'v4.2.2' },
  setupNode: { uses: 'actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020', version: 'v4.4.0' },
  setupBuildx: { uses: 'docker/setup-buildx-action@e468171a9de216ec08956ac3ada2f0791b6bd435', version: 'v3.11.1' },
  metadata: { uses: 'docker/metadata-action@902fa8ec7d6ecbf8d84d538b9b233a880e428804', version: 'v5.7.0' },
  login: { uses: 'docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772', version: 'v3.4.0' },
  buildPush: { uses: 'docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83', version: 'v6.18.0' },
  attest: { uses: 'actions/attest-build-provenance@e8998f949152b193b063cb0ec769d69d929409be', version: 'v2.4.0' },
} as const;

export interface ContainerWorkflowOptions {
  readonly nodeVersion: string;
  /** Branch whose pushes publish the image. */
  readonly branch: string;
  /** The projen task that verifies a built image. */
  readonly verifyTask: string;
}

type Step = Record<string, unknown>;

const meta = '${{ fromJSON(steps.meta.outputs.json)';

const steps = {
  checkout: { name: 'Checkout', uses: ACTIONS.checkout.uses },
  // GHCR wants lowercase; github.repository keeps the owner's case.
  image: {
    name: 'Image name',
    env: { IMAGE: 'ghcr.io/${{ github.repository }}' },
    run: 'echo "IMAGE=${IMAGE,,}" >> "$GITHUB_ENV"',
  },
  buildx: { name: 'Set up Buildx', uses: ACTIONS.setupBuildx.uses },
  metadata: {
    name: 'Tags and labels',
    id: 'meta',
    uses: ACTIONS.metadata.uses,
    with: {
      images: '${{ env.IMAGE }}',
      tags: ['type=ref,event=branch', 'type=sha', 'type=semver,pattern={{version}}'].join('\n'),
    },
  },
} satisfies Record<string, Step>;

function build(name: string, extra: Record<string, unknown>): Step {
  return {
    name,
    id: 'build',
    uses: ACTIONS.buildPush.uses,
    with: {
      'context': '.',
      'tags': '${{ steps.meta.outputs.tags }}',
      'labels': '${{ steps.meta.outputs.labels }}',
      // The build args docker:build passes locally, so the Dockerfile's LABELs agree with metadata-action's.
      'build-args': ['REVISION=${{ github.sha }}', `CREATED=${meta}.labels['org.opencontainers.image.created'] }}`].join('\n'),
      'cache-from': 'type=gha',
      'cache-to': 'type=gha,mode=max',
      ...extra,
    },
  };
}

/**
 * The workflow as data. `verify` builds with `load: true` and runs the
 * verification with read-only rights on every push and pull request.
 * `publish` runs only for the release branch and version tags, only after
 * verify passed; it rebuilds from the GHA layer cache and pushes with SBOM and
 * provenance (attestations need a push, `load` gives none).
 */
export function containerWorkflow(o: ContainerWorkflowOptions): Record<string, unknown> {
  return {
    name: 'container',
    on: {
      push: { branches: [o.branch], tags: ['v*'] },
      pull_request: {},
      workflow_dispatch: {},
    },
    permissions: {},
    concurrency: { 'group': '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': true },
    jobs: {
      verify: {
        'name': 'Build and verify the image',
        'runs-on': 'ubuntu-latest',
        'permissions': { contents: 'read' },
        'steps': [
          steps.checkout,
          steps.image,
          steps.buildx,
          steps.metadata,
          build('Build (load, no push)', { load: true }),
          { name: 'Setup Node.js', uses: ACTIONS.setupNode.uses, with: { 'node-version': o.nodeVersion, 'cache': 'npm' } },
          { name: 'Install dependencies', run: 'npm ci' },
          { name: 'Verify', env: { TAG: `${meta}.tags[0] }}` }, run: `npx projen ${o.verifyTask} --image "$TAG"` },
        ],
      },
      publish: {
        'name': 'Publish to GHCR',
        'needs': 'verify',
        'if': `github.event_name == 'push' && (github.ref == 'refs/heads/${o.branch}' || startsWith(github.ref, 'refs/tags/v'))`,
        'runs-on': 'ubuntu-latest',
        'permissions': { 'contents': 'read', 'packages': 'write', 'id-token': 'write', 'attestations': 'write' },
        'steps': [
          steps.checkout,
          steps.image,
          steps.buildx,
          {
            name: 'Log in to GHCR',
            uses: ACTIONS.login.uses,
            with: { registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' },
          },
          steps.metadata,
          build('Build and push', { push: true, sbom: true, provenance: 'mode=max' }),
          {
            name: 'Attest build provenance',
            uses: ACTIONS.attest.uses,
            with: {
              'subject-name': '${{ env.IMAGE }}',
              'subject-digest': '${{ steps.build.outputs.digest }}',
              'push-to-registry': true,
            },
          },
        ],
      },
    },
  };
}

/** Renders the workflow YAML with a `# vX` comment after each pinned action. Pure. */
export function renderContainerWorkflow(o: ContainerWorkflowOptions, marker?: string): string {
  const versions = new Map<string, string>(Object.values(ACTIONS).map((a) => [a.uses, a.version]));
  const body = stringify(containerWorkflow(o), { lineWidth: 0, aliasDuplicateObjects: false })
    .replace(/^(\s*(?:- )?uses: (\S+))$/gm, (line, _all, uses: string) => `${line} # ${versions.get(uses)}`);
  return `${marker ? `# ${marker}\n\n` : ''}${body}`;
}

export interface ContainerWorkflowProps {
  /**
   * Branch whose pushes publish the image (version tags `v*` also do).
   * @default 'main' - projen's default release branch
   */
  readonly branch?: string;
}

/** `.github/workflows/container.yml`: build the image, verify it, publish it. */
export class ContainerWorkflow extends Component {
  public readonly file: GeneratedFile;

  constructor(image: ContainerImage, props: ContainerWorkflowProps = {}) {
    super(image.project);
    this.file = new GeneratedFile(image.project, '.github/workflows/container.yml', {
      render: (marker) => renderContainerWorkflow({
        nodeVersion: /:(\d+)/.exec(image.resolved.baseImages.build)?.[1] ?? 'lts/*',
        branch: props.branch ?? 'main',
        verifyTask: IMAGE_TASKS.verify,
      }, marker),
    });
  }
}
