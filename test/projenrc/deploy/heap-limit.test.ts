import { BASE, byKind, DEPLOY_PROPS, podSpecOf, renderManifests, synthDeploy } from './fixture';
import type { KubeObject } from '../../../packages/projen-container/src';
import { POD_RESOURCES, POD_WORKERS } from '../../../packages/projen-container/src/deploy/defaults';
import { heapLimitMiB, MIN_HEAP_MIB, nodeOptions } from '../../../packages/projen-container/src/deploy/heap-limit';
import { resolveKubernetesProps } from '../../../packages/projen-container/src/deploy/kubernetes-props';
import { resolved } from '../container/fixture';

/** Every container of the Deployments and Jobs, with its memory limit in MiB and its `--max-old-space-size`. */
function heapOf(objects: readonly KubeObject[]) {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job').flatMap((o) => {
    const pod = podSpecOf(o);
    return [...(pod.initContainers ?? []), ...pod.containers].map((c: any) => ({
      container: `${o.kind}/${c.name}`,
      memoryMiB: Number(/^(\d+)Mi$/.exec(c.resources.limits.memory)?.[1]),
      heapMiB: Number(/--max-old-space-size=(\d+)$/.exec(c.env.find((e: any) => e.name === 'NODE_OPTIONS')?.value ?? '')?.[1]),
    }));
  });
}

describe('heapLimitMiB', () => {
  test('three quarters of the limit, split across the workers: 192 MiB of 256, where V8 would allow 259', () => {
    expect(heapLimitMiB(256, 1)).toBe(192);
    expect(heapLimitMiB(512, 2)).toBe(192);
    expect(heapLimitMiB(1000, 3)).toBe(250);
  });

  test('always leaves a quarter of the limit for what is not old space', () => {
    for (const memoryMiB of [86, 100, 256, 300, 1024, 4096]) {
      for (const workers of [1, 2, 4]) expect(heapLimitMiB(memoryMiB, workers) * workers).toBeLessThanOrEqual(memoryMiB * 0.75);
    }
  });

  test('NODE_OPTIONS: the limit after what the image declares, so the limit wins', () => {
    expect(nodeOptions(undefined, 192)).toBe('--max-old-space-size=192');
    expect(nodeOptions('--enable-source-maps', 192)).toBe('--enable-source-maps --max-old-space-size=192');
  });
});

describe('every container with a memory limit has a heap limit below it', () => {
  test('the Deployment\'s app and init containers and the migration Job: --max-old-space-size=192 at 256Mi', () => {
    const { manifests } = renderManifests();
    const api = podSpecOf(byKind(manifests, 'Deployment')).containers[0];
    expect(api.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=192' });
    expect(heapOf(Object.values(manifests))).toEqual([
      { container: 'Deployment/migrate', memoryMiB: 256, heapMiB: 192 },
      { container: 'Deployment/api', memoryMiB: 256, heapMiB: 192 },
      { container: 'Job/migrate', memoryMiB: 256, heapMiB: 192 },
    ]);
  });

  test('follows the declared memory of each environment through kubectl kustomize, the image\'s own NODE_OPTIONS kept', () => {
    const sized = (memoryMiB: number) => ({ resources: { ...POD_RESOURCES, memoryMiB } });
    const s = synthDeploy({ env: { NODE_OPTIONS: '--enable-source-maps' } }, {
      kubernetes: { environments: { production: {}, small: sized(128), large: sized(1024) } },
    });
    const heaps = (dir: string) => [...new Set(heapOf(s.rendered[dir]).map((h) => `${h.memoryMiB}Mi: ${h.heapMiB}`))];
    expect(heaps(BASE)).toEqual(['256Mi: 192']);
    expect(heaps('deploy/kubernetes/overlays/production')).toEqual(['256Mi: 192']);
    expect(heaps('deploy/kubernetes/overlays/small')).toEqual(['128Mi: 96']);
    expect(heaps('deploy/kubernetes/overlays/large')).toEqual(['1024Mi: 768']);
    const api = podSpecOf(byKind(s.rendered['deploy/kubernetes/overlays/small'], 'Deployment')).containers[0];
    expect(api.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--enable-source-maps --max-old-space-size=96' });
  });

  test('a memory limit that leaves too small a heap fails at synthesis, in one line naming the field and the value', () => {
    const tooSmall = Math.ceil((MIN_HEAP_MIB * POD_WORKERS) / 0.75) - 1;
    const declare = (memoryMiB: number) => () => resolveKubernetesProps(resolved(DEPLOY_PROPS), {
      environments: { production: { resources: { ...POD_RESOURCES, memoryMiB } } },
    });
    expect(declare(tooSmall)).toThrow(new RegExp(`^KubernetesManifests: "environments\\.production\\.resources\\.memoryMiB" must leave .*, got ${tooSmall}$`));
    expect(() => declare(tooSmall)()).toThrow(/leaves 63 MiB/);
    expect(declare(tooSmall + 1)).not.toThrow();
  });
});
