import { basename } from 'path';
import { ACTIONS } from './actions';
import { postgresService, postgresServiceUrl } from './postgres-service';
import { runnerFor } from './runners';
import type { Step } from './steps';
import { checkout, installDependencies, setupNode } from './steps';
import { archOf } from '../container/container-image-props';
import { archTag } from '../container/image-tags';
import { PUBLISH_TOOL } from '../container/image-tasks';
import type { PackageManager } from '../container/package-manager';
import { CONTAINER_SPEC_PATH } from '../container/resolved-container';
import { COMMIT_TIME } from '../container/source-date';
import { REPORT_PATH } from '../verify/report';

export interface ContainerWorkflowOptions {
  /** The image's name without a registry, as the projen tasks tag it. */
  readonly imageName: string;
  /** The Node major the tests and tools run on. */
  readonly nodeVersion: string;
  /** What installs the dependencies, frozen to its lockfile, in every job that checks out. */
  readonly packageManager: PackageManager;
  /** Branch whose pushes publish the image as `sha-<short>` and `<branch>`. */
  readonly branch: string;
  /** The projen task that verifies a built image. */
  readonly verifyTask: string;
  /** The projen task that runs the tests (and everything else the build checks). */
  readonly testTask: string;
  /** The declared platforms: one verify job each, one index in publish. */
  readonly platforms: readonly string[];
  /** The check plan has a database check: verify gets a PostgreSQL service and `VERIFY_DATABASE_URL`. */
  readonly verifiesDatabase: boolean;
  /** What the project's own tests need in the tests job. */
  readonly tests: TestJob;
}

/** What a project's tests need besides checkout, Node and the install, as its build workflow gives it them. */
export interface TestJob {
  /** Service containers, by name, e.g. the database the tests create their schemas in. */
  readonly services?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string>>;
  /** Run after the install, before the build. */
  readonly steps?: readonly Step[];
}

/** The input a release passes: the id of its `dist/` artifact, which holds `releasetag.txt`. */
export const RELEASE_INPUT = 'release_artifact_id';

/** Permissions a caller must grant container.yml: the publish job's. */
export const PUBLISH_PERMISSIONS = { 'contents': 'read', 'packages': 'write', 'id-token': 'write', 'attestations': 'write' } as const;

/**
 * Attestations need a public repository, or GitHub Enterprise Cloud, which
 * `internal` visibility implies. A private repository may be on either
 * plan, which a workflow cannot tell: it skips, with a notice, rather than
 * fail after the push.
 */
const ATTESTABLE = {
  name: 'Attestation available?',
  id: 'attestable',
  env: { VISIBILITY: '${{ github.event.repository.visibility }}' },
  run: [
    'if [ "$VISIBILITY" = public ] || [ "$VISIBILITY" = internal ]; then',
    '  echo "enabled=true" >> "$GITHUB_OUTPUT"',
    'else',
    '  echo "::notice title=Attestation skipped::a ${VISIBILITY:-private} repository has attestations only on GitHub Enterprise Cloud; the image is published without them"',
    '  echo "enabled=false" >> "$GITHUB_OUTPUT"',
    'fi',
  ].join('\n'),
};

/**
 * The workflow as data. It runs on pull requests (verify only), on pushes
 * to the branch (tests and verify, then publish as `sha-<short>` and
 * `<branch>`), and when a release calls it (`workflow_call`: projen's release
 * workflow, after it tagged `v1.2.3`, publishes `1.2.3`, `1.2` and `1`). A
 * tag pushed with GITHUB_TOKEN starts no workflow, so a `push: tags`
 * trigger would never see projen's releases: the release calls this instead.
 *
 * One build per platform: `verify` runs once per declared platform on a
 * runner of that architecture (decision 0007), builds the image once into
 * the runner's engine with its timestamps rewritten to the commit's time,
 * verifies and scans it with read-only rights, and keeps it (`docker save`)
 * with its report. `publish` needs `tests` and every `verify`: it loads
 * exactly those images and runs docker:publish's own tool, the bundled file
 * the project commits (no npm, no install scripts, no credentials in .git
 * while it holds write tokens), which checks each id against the passing
 * report of its platform, pushes them with the docker CLI and joins them
 * into one index, the digest that is attested (SBOM, provenance) and printed.
 */
export function containerWorkflow(o: ContainerWorkflowOptions): Record<string, unknown> {
  const publishes = `github.event_name == 'push' && github.ref == 'refs/heads/${o.branch}'`;
  const release = `inputs.${RELEASE_INPUT} != ''`;
  // One leg's image, named as docker:build names it, so verify reads the platform from the tag.
  const image = archTag(o.imageName, '${{ steps.version.outputs.version }}', '${{ matrix.arch }}');
  const first = o.platforms[0];
  const install = installDependencies(o.packageManager);
  const semver = (pattern: string) => `type=semver,pattern=${pattern},value=\${{ steps.version.outputs.tag }},enable=\${{ steps.version.outputs.tag != '' }}`;
  return {
    name: 'container',
    on: {
      push: { branches: [o.branch] },
      pull_request: {},
      // No workflow_dispatch: `inputs` would then be its inputs alone, and a failed run is re-run from its page.
      workflow_call: {
        inputs: { [RELEASE_INPUT]: { description: 'The id of the release\'s dist artifact (releasetag.txt)', type: 'string', required: true } },
      },
    },
    permissions: {},
    // A push or a release is never cancelled: that could stop a publish between its push and its attestations.
    concurrency: { 'group': '${{ github.workflow }}-container-${{ github.ref }}', 'cancel-in-progress': "${{ github.event_name == 'pull_request' }}" },
    jobs: {
      tests: {
        'name': 'Tests, before anything is published',
        'if': publishes,
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 30,
        'permissions': { contents: 'read' },
        ...(o.tests.services ? { services: o.tests.services } : {}),
        ...(o.tests.env ? { env: o.tests.env } : {}),
        'steps': [
          checkout(),
          setupNode(o.nodeVersion, o.packageManager),
          ...install,
          ...o.tests.steps ?? [],
          { name: 'Tests (the whole build)', run: `npx projen ${o.testTask}\ngit diff --exit-code` },
        ],
      },
      verify: {
        'name': 'Build once, verify, scan (${{ matrix.platform }})',
        'strategy': {
          // One platform's failure must not hide whether the other passes.
          'fail-fast': false,
          'matrix': { include: o.platforms.map((platform) => ({ platform, arch: archOf(platform), runner: runnerFor(platform) })) },
        },
        'runs-on': '${{ matrix.runner }}',
        'timeout-minutes': 30,
        'permissions': { contents: 'read' },
        ...(o.verifiesDatabase ? { services: { postgres: postgresService() } } : {}),
        // The same in every leg: the version, registry and tags come from the commit and the event alone.
        'outputs': {
          version: '${{ steps.version.outputs.version }}',
          registry: '${{ steps.registry.outputs.name }}',
          tags: '${{ steps.meta.outputs.tags }}',
        },
        'steps': [
          checkout(),
          setupNode(o.nodeVersion, o.packageManager),
          ...install,
          // The Dockerfile built below must be the one .projenrc.ts and container.lock.json declare.
          { name: 'Generated files are up to date', run: 'npx projen\ngit diff --exit-code' },
          // One Dockerfile for every platform: linted once.
          {
            name: 'Lint the Dockerfile',
            if: `matrix.platform == '${first}'`,
            uses: ACTIONS.hadolint.uses,
            with: { 'dockerfile': 'Dockerfile', 'failure-threshold': 'warning' },
          },
          { name: 'Set up Buildx', uses: ACTIONS.setupBuildx.uses },
          {
            name: 'The release\'s tag',
            if: release,
            uses: ACTIONS.downloadArtifact.uses,
            with: { 'artifact-ids': `\${{ inputs.${RELEASE_INPUT} }}`, 'path': '${{ runner.temp }}/release' },
          },
          {
            // What /health and the version label report: the release's 1.2.3, or 0.0.0-<branch>.<sha> between releases.
            name: 'Version',
            id: 'version',
            env: { BRANCH: o.branch },
            run: [
              'tag=""',
              'if [ -f "$RUNNER_TEMP/release/releasetag.txt" ]; then tag="$(cat "$RUNNER_TEMP/release/releasetag.txt")"; fi',
              'if [ -n "$tag" ]; then version="${tag#v}"',
              'elif [ "$GITHUB_EVENT_NAME" = push ]; then version="0.0.0-${BRANCH}.${GITHUB_SHA::7}"',
              'else version="0.0.0-dev.${GITHUB_SHA::7}"; fi',
              '{ echo "tag=$tag"; echo "version=$version"; } >> "$GITHUB_OUTPUT"',
            ].join('\n'),
          },
          // The created label is the commit's time, not the run's: two builds of one commit carry the same metadata.
          // Its epoch is SOURCE_DATE_EPOCH, to which BuildKit rewrites every file's timestamp: same commit, same digest.
          { name: 'Commit time', id: 'created', run: `{ echo "created=$(${COMMIT_TIME})"; echo "epoch=$(git log -1 --format=%ct)"; } >> "$GITHUB_OUTPUT"` },
          // GHCR wants lowercase; github.repository keeps the owner's case.
          { name: 'Registry name', id: 'registry', run: 'echo "name=ghcr.io/${GITHUB_REPOSITORY,,}" >> "$GITHUB_OUTPUT"' },
          {
            name: 'Tags',
            id: 'meta',
            uses: ACTIONS.metadata.uses,
            with: {
              images: '${{ steps.registry.outputs.name }}',
              flavor: 'latest=false',
              // A release: 1.2.3, 1.2, 1. The branch: sha-<short> and the branch's name. Never the package's 0.0.0.
              tags: [
                semver('{{version}}'),
                semver('{{major}}.{{minor}}'),
                semver('{{major}}'),
                "type=sha,prefix=sha-,format=short,enable=${{ steps.version.outputs.tag == '' }}",
                `type=raw,value=${o.branch},enable=\${{ steps.version.outputs.tag == '' && github.event_name == 'push' }}`,
                'type=ref,event=pr',
              ].join('\n'),
            },
          },
          {
            // The only build in this workflow: this leg's platform, natively, loaded into the runner's engine, never pushed from here.
            // Its labels are the Dockerfile's own, from the build args: the version label is the one /health reports.
            name: 'Build (load, no push)',
            id: 'build',
            uses: ACTIONS.buildPush.uses,
            env: { SOURCE_DATE_EPOCH: '${{ steps.created.outputs.epoch }}' },
            with: {
              'context': '.',
              'platforms': '${{ matrix.platform }}',
              // `load: true` with BuildKit's rewrite-timestamp (≥ 0.13): layers dated SOURCE_DATE_EPOCH.
              'outputs': 'type=docker,rewrite-timestamp=true',
              'tags': image,
              'build-args': [
                'VERSION=${{ steps.version.outputs.version }}',
                'REVISION=${{ github.sha }}',
                'CREATED=${{ steps.created.outputs.created }}',
              ].join('\n'),
              'cache-from': 'type=gha,scope=${{ matrix.arch }}',
              'cache-to': 'type=gha,mode=max,scope=${{ matrix.arch }}',
            },
          },
          {
            name: 'Image id',
            id: 'image',
            env: { IMAGE: image },
            run: 'echo "id=$(docker image inspect --format \'{{.Id}}\' "$IMAGE")" >> "$GITHUB_OUTPUT"',
          },
          {
            // Containers run on the default bridge here; they reach the service's mapped port through its gateway.
            name: 'Verify',
            env: { IMAGE: image },
            run: [
              ...(o.verifiesDatabase ? [
                'gateway="$(docker network inspect bridge --format \'{{(index .IPAM.Config 0).Gateway}}\')"',
                `export VERIFY_DATABASE_URL="${postgresServiceUrl('${gateway}')}"`,
              ] : []),
              `npx projen ${o.verifyTask} --image "$IMAGE"`,
            ].join('\n'),
          },
          {
            name: 'Scan (HIGH and CRITICAL with a fix fail)',
            uses: ACTIONS.trivy.uses,
            with: { 'image-ref': image, 'exit-code': '1', 'ignore-unfixed': true, 'severity': 'HIGH,CRITICAL' },
          },
          {
            name: 'Upload the verify report',
            if: 'always()',
            uses: ACTIONS.uploadArtifact.uses,
            with: { 'name': 'verify-report-${{ matrix.arch }}', 'path': REPORT_PATH, 'if-no-files-found': 'ignore', 'overwrite': true },
          },
          {
            name: 'Save the verified image',
            if: publishes,
            env: { IMAGE: image },
            run: 'docker save "$IMAGE" --output "$RUNNER_TEMP/image-${{ matrix.arch }}.tar"',
          },
          {
            name: 'Upload the verified image',
            if: publishes,
            uses: ACTIONS.uploadArtifact.uses,
            with: {
              'name': 'image-${{ matrix.arch }}',
              'path': '${{ runner.temp }}/image-${{ matrix.arch }}.tar',
              'if-no-files-found': 'error',
              'retention-days': 1,
              'overwrite': true,
            },
          },
        ],
      },
      publish: {
        'name': 'Publish the verified images to GHCR as one index',
        'needs': ['tests', 'verify'],
        'if': publishes,
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 20,
        'permissions': { 'contents': 'read', 'packages': 'write', 'id-token': 'write', 'attestations': 'write' },
        'env': {
          REGISTRY: '${{ needs.verify.outputs.registry }}',
          VERSION: '${{ needs.verify.outputs.version }}',
          TAGS: '${{ needs.verify.outputs.tags }}',
        },
        'steps': [
          {
            name: 'Download the verified images',
            uses: ACTIONS.downloadArtifact.uses,
            with: { 'pattern': 'image-*', 'merge-multiple': true, 'path': '${{ runner.temp }}/images' },
          },
          // Each report in its own folder: every leg's file has the same name.
          { name: 'Download the verify reports', uses: ACTIONS.downloadArtifact.uses, with: { pattern: 'verify-report-*', path: '${{ runner.temp }}/reports' } },
          { name: 'Load them', run: 'for image in "$RUNNER_TEMP"/images/image-*.tar; do\n  docker load --input "$image"\ndone' },
          {
            // The bundled tool and the spec it reads, nothing else: nothing to install, and no token left in .git.
            name: 'The publish tool and the spec',
            uses: ACTIONS.checkout.uses,
            with: { 'sparse-checkout': [PUBLISH_TOOL, CONTAINER_SPEC_PATH].join('\n'), 'sparse-checkout-cone-mode': false, 'persist-credentials': false },
          },
          // No cache: there is no lockfile here, and nothing to install.
          { name: 'Setup Node.js', uses: ACTIONS.setupNode.uses, with: { 'node-version': o.nodeVersion } },
          {
            name: 'Log in to GHCR',
            uses: ACTIONS.login.uses,
            with: { registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' },
          },
          {
            // docker:publish's rule, run as docker:publish runs it: only each platform's image its passing report names,
            // under <version>-<arch>, then one index per tag over exactly those manifests.
            name: 'Push',
            id: 'push',
            env: { VERIFY_REPORT: o.platforms.map((p) => `\${{ runner.temp }}/reports/verify-report-${archOf(p)}/${basename(REPORT_PATH)}`).join('\n') },
            run: [
              `digest="$(node ${PUBLISH_TOOL})"`,
              'echo "$digest"',
              'echo "digest=${digest#digest: }" >> "$GITHUB_OUTPUT"',
            ].join('\n'),
          },
          ATTESTABLE,
          {
            name: 'SBOM of the pushed image',
            if: "steps.attestable.outputs.enabled == 'true'",
            uses: ACTIONS.sbom.uses,
            with: {
              'image': '${{ env.REGISTRY }}@${{ steps.push.outputs.digest }}',
              'format': 'spdx-json',
              'output-file': '${{ runner.temp }}/sbom.spdx.json',
              'upload-artifact': false,
              'registry-username': '${{ github.actor }}',
              'registry-password': '${{ secrets.GITHUB_TOKEN }}',
            },
          },
          {
            // Storage records would need `artifact-metadata: write` and an organization-owned repository.
            name: 'Attest the SBOM',
            if: "steps.attestable.outputs.enabled == 'true'",
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
            if: "steps.attestable.outputs.enabled == 'true'",
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

/** The release workflow's job that publishes the release's image: container.yml, called with the release's artifact. */
export function releaseImageJob(releaseJob: string, githubReleaseJob: string): Record<string, unknown> {
  return {
    name: 'Publish the release\'s image',
    needs: [releaseJob, githubReleaseJob],
    // The same condition as the GitHub release: a new tag on the commit that was released.
    if: `needs.${releaseJob}.outputs.tag_exists != 'true' && needs.${releaseJob}.outputs.latest_commit == github.sha && !inputs.dry_run`,
    permissions: PUBLISH_PERMISSIONS,
    uses: './.github/workflows/container.yml',
    with: { [RELEASE_INPUT]: `\${{ needs.${releaseJob}.outputs.artifact_id }}` },
  };
}
