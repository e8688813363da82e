/**
 * The construct's runtimes other than the declared one, each rendered from
 * the same resolved spec by the construct's own renderer and built once, so
 * the report can show what each ships beside ours.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildImage } from './measure-build';
import type { ImageUnderTest } from './measure-image';
import type { ResolvedContainer } from '../packages/projen-container/src';
import { dockerfileModel, renderDockerfile, RUNTIME_KINDS, runtimeFrom } from '../packages/projen-container/src/dockerfile';

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
