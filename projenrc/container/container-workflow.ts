import { chmodSync, readFileSync, statSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import type { typescript } from 'projen';
import { Component, github as gh } from 'projen';
import { stringify } from 'yaml';
import type { ContainerImage } from './container-image';
import { IMAGE_TASKS } from './container-image';
import { GeneratedFile } from '../generated-file';
import type { RenovatePin } from '../renovate';
import { REPORT_PATH } from '../verify/report';

/**
 * Every action any of the project's workflows uses, pinned to the full commit
 * SHA of its release tag (a moved tag cannot change what runs with
 * `packages: write`); the tag goes into a `# vX.Y.Z` comment. The one pin set:
 * container.yml renders from it and projen's own workflows (build.yml) resolve
 * through it (see `pinActions`).
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
 * The PostgreSQL both workflows run as a service container, with trust auth
 * as on the development machines. Renovate proposes its updates (docs/updates.md).
 */
export const POSTGRES_IMAGE = 'postgres:17-trixie';

/** Where the tests find PostgreSQL: the service's port, mapped to the runner's loopback. */
export const TEST_ADMIN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * What Renovate updates, where it is declared (the generated Dockerfile and
 * workflows follow on `npx projen`). Each pattern is tested against its file.
 */
export const RENOVATE_PINS: readonly RenovatePin[] = [
  {
    description: 'GitHub Actions pins',
    file: 'projenrc/container/container-workflow.ts',
    matchString: "uses: '(?<depName>[\\w.-]+/[\\w.-]+)@(?<currentDigest>[a-f0-9]{40})', version: '(?<currentValue>v[^']+)'",
    datasource: 'github-tags',
  },
  {
    description: 'PostgreSQL service image',
    file: 'projenrc/container/container-workflow.ts',
    matchString: "POSTGRES_IMAGE = '(?<depName>postgres):(?<currentValue>[^'@]+)'",
    datasource: 'docker',
  },
  {
    description: 'base image digests',
    file: 'container.lock.json',
    matchString: '"(?<depName>[^"\\s:@]+):(?<currentValue>[^"\\s:@]+)": "(?<currentDigest>sha256:[a-f0-9]{64})"',
    datasource: 'docker',
    digestOnly: true,
  },
];

/** `# vX.Y.Z` after each pinned `uses:` line, so a reader (and a bot) sees the release. Pure. */
export function annotatePins(yamlText: string): string {
  const versions = new Map<string, string>(Object.values(ACTIONS).map((a) => [a.uses, a.version]));
  return yamlText.replace(/^(\s*(?:- )?uses: (\S+))$/gm, (line, _all, uses: string) => {
    const version = versions.get(uses);
    return version ? `${line} # ${version}` : line;
  });
}

/** Makes every projen-generated workflow resolve its actions through ACTIONS. */
export function pinActions(github: { actions: { set(action: string, override: string): void } }): void {
  for (const { uses } of Object.values(ACTIONS)) github.actions.set(uses.split('@')[0], uses);
}

export interface ContainerWorkflowOptions {
  /** The image's name without a registry, as the projen tasks tag it. */
  readonly imageName: string;
  /** The package version: the image's version except on a `v*` tag. */
  readonly version: string;
  readonly nodeVersion: string;
  /** Branch whose pushes publish the image. */
  readonly branch: string;
  /** The projen task that verifies a built image. */
  readonly verifyTask: string;
  /** The projen task that pushes the verified image and prints its digest. */
  readonly publishTask: string;
}

type Step = Record<string, unknown>;

/** A PostgreSQL service container on the runner's 127.0.0.1:5432, ready before the steps start. */
export function postgresService(): Record<string, unknown> {
  return {
    image: POSTGRES_IMAGE,
    env: { POSTGRES_HOST_AUTH_METHOD: 'trust' },
    ports: ['5432:5432'],
    options: '--health-cmd "pg_isready -U postgres" --health-interval 2s --health-timeout 5s --health-retries 15',
  };
}

/**
 * Pulls each base image the spec names, by tag (the engine tests build FROM
 * the tags) and, when locked, by digest (the bytes the Dockerfile pins).
 */
export const PULL_BASE_IMAGES: Step = {
  name: 'Pull the base images (the engine tests build FROM them)',
  run: [
    'for ref in $(npx ts-node --transpile-only --project projenrc/tsconfig.json projenrc/container/spec-cli.ts baseImages); do',
    '  tag="${ref%%@*}"',
    '  docker pull "$tag"',
    '  if [ "$ref" != "$tag" ]; then docker pull "${tag%:*}@${ref#*@}"; fi',
    'done',
  ].join('\n'),
};

const setupNode = (nodeVersion: string): Step => ({
  name: 'Setup Node.js',
  uses: ACTIONS.setupNode.uses,
  with: { 'node-version': nodeVersion, 'cache': 'npm' },
});

/**
 * The workflow as data. One build: `verify` builds the image once with
 * `load: true`, lints, verifies and scans it with read-only rights, and keeps
 * it (`docker save`) with its id as a job output. `publish` runs only for the
 * release branch and version tags, after verify passed: it loads exactly that
 * image, checks its id, pushes it with the publish task, and attests an SBOM
 * and the provenance on the pushed digest. Nothing is built twice.
 */
export function containerWorkflow(o: ContainerWorkflowOptions): Record<string, unknown> {
  const publishes = `github.event_name == 'push' && (github.ref == 'refs/heads/${o.branch}' || startsWith(github.ref, 'refs/tags/v'))`;
  const checkout = { name: 'Checkout', uses: ACTIONS.checkout.uses };
  const install = { name: 'Install dependencies', run: 'npm ci' };
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
        'name': 'Build once, verify, scan',
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 30,
        'permissions': { contents: 'read' },
        'services': { postgres: postgresService() },
        'outputs': {
          'version': '${{ steps.meta.outputs.version }}',
          'image-id': '${{ steps.image.outputs.id }}',
        },
        'steps': [
          checkout,
          setupNode(o.nodeVersion),
          install,
          // The Dockerfile built below must be the one .projenrc.ts and container.lock.json declare.
          { name: 'Generated files are up to date', run: 'npx projen\ngit diff --exit-code' },
          { name: 'Lint the Dockerfile', uses: ACTIONS.hadolint.uses, with: { 'dockerfile': 'Dockerfile', 'failure-threshold': 'warning' } },
          { name: 'Set up Buildx', uses: ACTIONS.setupBuildx.uses },
          {
            name: 'Version and labels',
            id: 'meta',
            uses: ACTIONS.metadata.uses,
            with: {
              images: o.imageName,
              flavor: 'latest=false',
              // `v1.2.3` → 1.2.3; any other event: the package version. `version` is the first of these.
              tags: [
                'type=semver,pattern={{version}}',
                `type=raw,value=${o.version},enable=\${{ !startsWith(github.ref, 'refs/tags/v') }}`,
              ].join('\n'),
            },
          },
          {
            // The only build in this workflow: loaded into the runner's engine, never pushed from here.
            name: 'Build (load, no push)',
            id: 'build',
            uses: ACTIONS.buildPush.uses,
            with: {
              'context': '.',
              'load': true,
              'tags': `${o.imageName}:\${{ steps.meta.outputs.version }}`,
              'labels': '${{ steps.meta.outputs.labels }}',
              // The build args docker:build passes locally, so the Dockerfile's LABELs agree with metadata-action's.
              'build-args': [
                'VERSION=${{ steps.meta.outputs.version }}',
                'REVISION=${{ github.sha }}',
                "CREATED=${{ fromJSON(steps.meta.outputs.json).labels['org.opencontainers.image.created'] }}",
              ].join('\n'),
              'cache-from': 'type=gha',
              'cache-to': 'type=gha,mode=max',
            },
          },
          {
            name: 'Image id',
            id: 'image',
            env: { IMAGE: `${o.imageName}:\${{ steps.meta.outputs.version }}` },
            run: 'echo "id=$(docker image inspect --format \'{{.Id}}\' "$IMAGE")" >> "$GITHUB_OUTPUT"',
          },
          {
            // Containers run on the default bridge here; they reach the service's mapped port through its gateway.
            name: 'Verify',
            env: { IMAGE: `${o.imageName}:\${{ steps.meta.outputs.version }}` },
            run: [
              'gateway="$(docker network inspect bridge --format \'{{(index .IPAM.Config 0).Gateway}}\')"',
              'export VERIFY_DATABASE_URL="postgres://postgres@${gateway}:5432/postgres"',
              `npx projen ${o.verifyTask} --image "$IMAGE"`,
            ].join('\n'),
          },
          {
            name: 'Scan (HIGH and CRITICAL with a fix fail)',
            uses: ACTIONS.trivy.uses,
            with: {
              'image-ref': `${o.imageName}:\${{ steps.meta.outputs.version }}`,
              'exit-code': '1',
              'ignore-unfixed': true,
              'severity': 'HIGH,CRITICAL',
            },
          },
          {
            name: 'Upload the verify report',
            if: 'always()',
            uses: ACTIONS.uploadArtifact.uses,
            with: { 'name': 'verify-report', 'path': REPORT_PATH, 'if-no-files-found': 'ignore' },
          },
          {
            name: 'Save the verified image',
            if: publishes,
            env: { IMAGE: `${o.imageName}:\${{ steps.meta.outputs.version }}` },
            run: 'docker save "$IMAGE" --output "$RUNNER_TEMP/image.tar"',
          },
          {
            name: 'Upload the verified image',
            if: publishes,
            uses: ACTIONS.uploadArtifact.uses,
            with: { 'name': 'image', 'path': '${{ runner.temp }}/image.tar', 'if-no-files-found': 'error', 'retention-days': 1 },
          },
        ],
      },
      publish: {
        'name': 'Publish the verified image to GHCR',
        'needs': 'verify',
        'if': publishes,
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 20,
        'permissions': { 'contents': 'read', 'packages': 'write', 'id-token': 'write', 'attestations': 'write' },
        'env': {
          VERSION: '${{ needs.verify.outputs.version }}',
          IMAGE: `${o.imageName}:\${{ needs.verify.outputs.version }}`,
        },
        'steps': [
          checkout,
          setupNode(o.nodeVersion),
          install,
          { name: 'Download the verified image', uses: ACTIONS.downloadArtifact.uses, with: { name: 'image', path: '${{ runner.temp }}' } },
          { name: 'Download the verify report', uses: ACTIONS.downloadArtifact.uses, with: { name: 'verify-report', path: dirname(REPORT_PATH) } },
          {
            name: 'Load it and check it is the verified image',
            env: { VERIFIED_ID: '${{ needs.verify.outputs.image-id }}' },
            run: [
              'docker load --input "$RUNNER_TEMP/image.tar"',
              'loaded="$(docker image inspect --format \'{{.Id}}\' "$IMAGE")"',
              'if [ -z "$VERIFIED_ID" ] || [ "$loaded" != "$VERIFIED_ID" ]; then',
              '  echo "::error::$IMAGE is $loaded, but verify passed ${VERIFIED_ID:-no image}"',
              '  exit 1',
              'fi',
            ].join('\n'),
          },
          // GHCR wants lowercase; github.repository keeps the owner's case.
          { name: 'Registry name', run: 'echo "REGISTRY=ghcr.io/${GITHUB_REPOSITORY,,}" >> "$GITHUB_ENV"' },
          {
            name: 'Log in to GHCR',
            uses: ACTIONS.login.uses,
            with: { registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' },
          },
          {
            name: 'Push',
            id: 'push',
            run: [
              `npx projen ${o.publishTask} | tee "$RUNNER_TEMP/publish.out"`,
              'digest="$(sed -n \'s/^digest: \\(sha256:[0-9a-f]\\{64\\}\\)$/\\1/p\' "$RUNNER_TEMP/publish.out")"',
              'if [ -z "$digest" ]; then echo "::error::docker:publish printed no digest"; exit 1; fi',
              'echo "digest=$digest" >> "$GITHUB_OUTPUT"',
            ].join('\n'),
            shell: 'bash',
          },
          {
            name: 'SBOM of the pushed image',
            uses: ACTIONS.sbom.uses,
            with: {
              'image': '${{ env.REGISTRY }}@${{ steps.push.outputs.digest }}',
              'format': 'spdx-json',
              'output-file': '${{ runner.temp }}/sbom.spdx.json',
              'registry-username': '${{ github.actor }}',
              'registry-password': '${{ secrets.GITHUB_TOKEN }}',
            },
          },
          {
            // Storage records would need `artifact-metadata: write` and an organization-owned repository.
            name: 'Attest the SBOM',
            uses: ACTIONS.attest.uses,
            with: {
              'subject-name': '${{ env.REGISTRY }}',
              'subject-digest': '${{ steps.push.outputs.digest }}',
              'sbom-path': '${{ runner.temp }}/sbom.spdx.json',
              'push-to-registry': true,
              'create-storage-record': false,
            },
          },
          {
            name: 'Attest build provenance',
            uses: ACTIONS.attestProvenance.uses,
            with: {
              'subject-name': '${{ env.REGISTRY }}',
              'subject-digest': '${{ steps.push.outputs.digest }}',
              'push-to-registry': true,
              'create-storage-record': false,
            },
          },
        ],
      },
    },
  };
}

/** Renders the workflow YAML with a `# vX.Y.Z` comment after each pinned action. Pure. */
export function renderContainerWorkflow(o: ContainerWorkflowOptions, marker?: string): string {
  const body = annotatePins(stringify(containerWorkflow(o), { lineWidth: 0, aliasDuplicateObjects: false }));
  return `${marker ? `# ${marker}\n\n` : ''}${body}`;
}

export interface ContainerWorkflowProps {
  /**
   * Branch whose pushes publish the image (version tags `v*` also do).
   * @default 'main' - projen's default release branch
   */
  readonly branch?: string;
}

/**
 * `.github/workflows/container.yml`: build the image once, verify it, publish
 * exactly that image. ACTIONS being the project's one pin set, it also makes
 * projen's own workflows (build.yml) resolve their actions through it, with
 * the same `# vX.Y.Z` comments.
 */
export class ContainerWorkflow extends Component {
  public readonly file: GeneratedFile;

  constructor(image: ContainerImage, props: ContainerWorkflowProps = {}) {
    super(image.project);
    const project = image.project as typescript.TypeScriptProject;
    this.file = new GeneratedFile(project, '.github/workflows/container.yml', {
      render: (marker) => renderContainerWorkflow({
        imageName: image.resolved.imageName,
        version: project.package.manifest.version,
        nodeVersion: /:(\d+)/.exec(image.resolved.baseImages.build)?.[1] ?? 'lts/*',
        branch: props.branch ?? 'main',
        verifyTask: IMAGE_TASKS.verify,
        publishTask: IMAGE_TASKS.publish,
      }, marker),
    });
    if (project.github) pinActions(project.github);
  }

  /**
   * projen writes its workflows as plain YAML; the comments go in right after
   * (components synthesize in order, and the workflows exist before this one),
   * so build.yml reads like container.yml.
   */
  public synthesize(): void {
    for (const workflow of gh.GitHub.of(this.project)?.workflows ?? []) {
      const path = workflow.file?.absolutePath;
      if (!path) continue;
      const mode = statSync(path).mode;
      chmodSync(path, 0o600);
      writeFileSync(path, annotatePins(readFileSync(path, 'utf8')));
      chmodSync(path, mode);
    }
  }
}
