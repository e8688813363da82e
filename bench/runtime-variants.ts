/**
 * The construct's runtimes other than the declared one, each rendered from
 * the same resolved spec by the construct's own renderer and built once, so
 * the report can show what each ships beside ours.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildImage } from './measure-build';
import type { ImageUnderTest } from './measure-image';
import { RUNTIME_KINDS } from '../projenrc/container/container-image-props';
import { dockerfileModel, runtimeFrom } from '../projenrc/container/dockerfile';
import { renderDockerfile } from '../projenrc/container/dockerfile-render';
import type { ResolvedContainer } from '../projenrc/container/resolved-container';

const WHY = { minimal: 'no shell, no package manager', debian: 'a shell to debug with', node: 'npm kept' } as const;

export async function buildRuntimeVariants(root: string, spec: ResolvedContainer, log: (m: string) => void): Promise<ImageUnderTest[]> {
  const out: ImageUnderTest[] = [];
  for (const runtime of RUNTIME_KINDS.filter((k) => k !== spec.runtime)) {
    const variant = { ...spec, runtime };
    const dockerfile = `.bench-${runtime}.Dockerfile`;
    fs.writeFileSync(path.join(root, dockerfile), renderDockerfile(dockerfileModel(variant)));
    const tag = `bench-runtime-${runtime}:latest`;
    try {
      log(`building the ${runtime} runtime`);
      await buildImage(root, { party: { label: runtime, what: '' }, tag, dockerfile }, false);
    } finally {
      fs.rmSync(path.join(root, dockerfile), { force: true });
    }
    out.push({
      party: { label: `runtime: ${runtime}`, what: `\`${tag}\`, the construct's \`runtime: ${runtime}\` (${WHY[runtime]})` },
      tag,
      base: runtimeFrom(variant),
    });
  }
  return out;
}
