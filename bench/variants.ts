/**
 * The Dockerfiles of the design-choice comparison, rendered from the
 * construct's own model (projenrc/container) rather than written by hand:
 *
 * - **ours**: `dockerfileModel(recipe)`, checked to render the repo's
 *   `Dockerfile` byte for byte, so the recipe below is the one projen used;
 * - **keepNpm**: the same recipe with `keepNpm: true`, an existing construct
 *   option (runtime = the node image, npm and npx kept);
 * - **prune**: ours with one explicit transformation ({@link pruneVariant}):
 *   no `deps` stage, `npm prune` at the end of the build stage, and the
 *   runtime's node_modules copied from `build`.
 *
 * The prune variant lives here, not as a ContainerImage option: it exists
 * only to be measured against the `deps` stage, and an option nobody is meant
 * to pick would be one more branch to render, lint, verify and document.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerSpec } from '../projenrc/container/container-spec';
import type { DockerInstruction, DockerStage, DockerfileModel } from '../projenrc/container/dockerfile-model';
import { renderDockerfile } from '../projenrc/container/dockerfile-render';
import type { ImageRecipe } from '../projenrc/container/image-recipe';
import { dockerfileModel } from '../projenrc/container/image-recipe';

/** The production-dependency step the prune variant runs in the build stage, after tsc. */
export const PRUNE_COMMAND = 'npm prune --omit=dev --omit=optional --no-audit --no-fund';

/** Stage names of the model that the transformation relies on (image-recipe.ts). */
const BUILD_STAGE = 'build';
const DEPS_STAGE = 'deps';

/** The variants, each as a model and its rendered Dockerfile. */
export interface Variant {
  readonly label: 'ours' | 'prune' | 'keepNpm';
  /** What differs from ours, for the report (markdown). */
  readonly change: string;
  readonly model: DockerfileModel;
  readonly dockerfile: string;
  /** The runtime stage's base image: image − base = payload. */
  readonly runtimeBase: string;
}


/**
 * The recipe projen rendered the repo's Dockerfile from, rebuilt from the
 * resolved spec and package.json plus projen's TypeScript defaults (src, lib,
 * tsconfig.json, package-lock.json). {@link renderVariants} proves it right by
 * re-rendering the committed Dockerfile.
 */
export function recipeFromRepo(root: string): ImageRecipe {
  const spec = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'container.json'), 'utf8')) as ContainerSpec;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; repository?: string | { url?: string } };
  return {
    imageName: spec.imageName,
    title: pkg.name,
    version: spec.version,
    sourceUrl: typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url,
    user: spec.user,
    uid: spec.uid,
    gid: spec.gid,
    port: spec.port,
    workers: spec.workers,
    healthPath: spec.healthPath,
    sizeBudgetMb: spec.sizeBudgetMb,
    srcdir: 'src',
    libdir: 'lib',
    tsconfigFile: 'tsconfig.json',
    lockFile: 'package-lock.json',
    entrypoint: spec.entrypoint,
    assets: spec.assets,
    // runtimeEnv() puts NODE_ENV/PORT/WEB_CONCURRENCY first and spreads these over them: same result.
    env: spec.env,
    labels: {},
    nodeImage: spec.baseImages.build,
    runtimeImage: spec.baseImages.runtime,
    keepNpm: spec.npmInRuntime,
    copyLink: false,
    devDependencies: spec.devDependencies,
  };
}

/**
 * Ours with `npm prune` instead of the `deps` stage: drops `deps`, appends
 * {@link PRUNE_COMMAND} to the build stage and copies node_modules from
 * `build`. Pure; throws if the model no longer has the shape it rewrites.
 */
export function pruneVariant(model: DockerfileModel): DockerfileModel {
  if (!model.stages.some((s) => s.name === DEPS_STAGE) || !model.stages.some((s) => s.name === BUILD_STAGE)) {
    throw new Error(`pruneVariant: the model has no "${BUILD_STAGE}" or "${DEPS_STAGE}" stage`);
  }
  let rewired = 0;
  const fromBuild = (i: DockerInstruction): DockerInstruction => {
    if (i.kind !== 'COPY' || i.from !== DEPS_STAGE) return i;
    rewired++;
    return { ...i, from: BUILD_STAGE };
  };
  const stages = model.stages
    .filter((s) => s.name !== DEPS_STAGE)
    .map((s): DockerStage => (s.name === BUILD_STAGE
      ? { ...s, instructions: [...s.instructions, { kind: 'RUN', command: PRUNE_COMMAND, comment: 'Bench variant: production node_modules by pruning the build\'s.' }] }
      : { ...s, instructions: s.instructions.map(fromBuild) }));
  if (rewired !== 1) throw new Error(`pruneVariant: expected one COPY --from=${DEPS_STAGE}, found ${rewired}`);
  return { ...model, stages };
}

function variant(label: Variant['label'], change: string, model: DockerfileModel, marker?: string): Variant {
  const runtimeBase = model.stages[model.stages.length - 1].from.split('@')[0];
  return { label, change, model, dockerfile: renderDockerfile(model, marker), runtimeBase };
}

/** The first line where two texts differ, for the error message. Pure. */
export function firstDifference(a: string, b: string): string {
  const [x, y] = [a.split('\n'), b.split('\n')];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: ${JSON.stringify(x[i] ?? '<end>')} vs ${JSON.stringify(y[i] ?? '<end>')}`;
  }
  return 'none';
}

/**
 * Renders ours, prune and keepNpm from the repo's recipe. Fails before any
 * measure if ours does not re-render the committed Dockerfile exactly (then
 * the variants would not be "ours with one change").
 */
export function renderVariants(root: string): Record<Variant['label'], Variant> {
  const committed = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const marker = /^# (.*)$/m.exec(committed.split('\n')[0] ?? '')?.[1];
  const recipe = recipeFromRepo(root);
  if (recipe.keepNpm) throw new Error('renderVariants: the repo already keeps npm; the keepNpm variant would equal ours');
  const model = dockerfileModel(recipe);
  const ours = variant('ours', '—', model, marker);
  if (ours.dockerfile !== committed) {
    throw new Error('renderVariants: the recipe rebuilt from .projen/container.json does not render the committed Dockerfile '
      + `(first difference ${firstDifference(ours.dockerfile, committed)}); run \`npx projen\` or update bench/variants.ts`);
  }
  return {
    ours,
    prune: variant('prune', `no \`${DEPS_STAGE}\` stage; \`RUN ${PRUNE_COMMAND}\` after tsc in \`${BUILD_STAGE}\`; node_modules copied from \`${BUILD_STAGE}\``,
      pruneVariant(model)),
    keepNpm: variant('keepNpm', `\`keepNpm: true\`: runtime FROM \`${recipe.nodeImage.split('@')[0]}\`, npm kept, no node binary copy`,
      dockerfileModel({ ...recipe, keepNpm: true })),
  };
}
