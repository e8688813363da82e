/**
 * Each declared platform's image, built as `docker:build` builds it: its
 * size against the budget, and `docker run` → first 200 beside the bare
 * server run by that same image, so an emulated platform is compared with an
 * equally emulated anchor. Emulation is named in the row, never hidden.
 */
import { imageSize, type Engine } from './engine';
import { buildImage, type ImageDef } from './measure-build';
import { measureStartStop, type Server } from './measure-run';
import { summarize } from './stats';
import { START_RATIO_MAX } from './targets';
import type { Row, Section, Target } from './types';
import { archOf } from '../packages/projen-container/src/dockerfile';

export interface PlatformsInput {
  readonly root: string;
  readonly platforms: readonly string[];
  /** Ours and the bare server, as the native measures run them; only the image changes per platform. */
  readonly ours: Server;
  readonly bare: Server;
  readonly healthPath: string;
  readonly sizeTarget?: Target;
  /** Ours' build as the other measures build it; only the platform and the tag change. */
  readonly build: ImageDef;
  readonly runs: number;
}

/** `linux/arm64 (emulated)` where the engine's architecture is not the platform's. Pure. */
export const platformLabel = (platform: string, engineArch: string): string => (archOf(platform) === engineArch ? platform : `${platform} (emulated)`);

export async function measurePlatforms(engine: Engine, i: PlatformsInput, log: (m: string) => void): Promise<Section> {
  const engineArch = (await engine.docker.version()).Arch;
  const rows: Row[] = [];
  for (const platform of i.platforms) {
    const tag = `bench-ours:${archOf(platform)}`;
    log(`platforms: building ${tag}`);
    await buildImage(i.root, { ...i.build, tag, platform }, false);
    const label = platformLabel(platform, engineArch);
    const ours = { ...i.ours, image: tag };
    const bare = { ...i.bare, image: tag };
    const r = await measureStartStop(engine, [ours, bare], i.healthPath, i.runs, log);
    const bytes = await imageSize(engine, tag);
    rows.push(
      { metric: `image size (uncompressed), ${label}`, unit: 'MB', subject: summarize(bytes === undefined ? [] : [bytes / 1e6]), anchor: 'the same image', ...(i.sizeTarget ? { target: i.sizeTarget } : {}) },
      {
        metric: `\`docker run\` → first 200 on ${i.healthPath}, ${label}`,
        unit: 'ms',
        subject: summarize(r.get(ours)!.start),
        anchor: summarize(r.get(bare)!.start),
        // Under emulation both sides pay the emulator; the native ratio is the one the target speaks of.
        ...(label === platform ? { target: { ratioMax: START_RATIO_MAX, source: 'bench/targets.ts START_RATIO_MAX' } } : {}),
      },
    );
  }
  return {
    title: 'Every declared platform',
    subject: i.ours.party,
    anchor: i.bare.party,
    params: { 'runs': i.runs, 'engine architecture': engineArch },
    method: 'Each platform is built with `docker build --platform`, as `docker:build` does; a platform that is not the engine\'s runs under QEMU user emulation '
      + '(binfmt_misc), its start beside the bare server in the same emulated image.',
    rows,
  };
}
