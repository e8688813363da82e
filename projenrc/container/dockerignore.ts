import type { ImageRecipe } from './image-recipe';

/** Denied even inside allowed folders: secrets, local installs, and tests tsc would otherwise emit. */
export const DOCKERIGNORE_DENY = [
  '**/.env',
  '**/.env.*',
  '**/*.pem',
  '**/*.key',
  '**/id_rsa*',
  '**/node_modules',
  '**/*.test.ts',
  '**/*.spec.ts',
] as const;

/** Exactly what the Dockerfile COPYs from the context. */
export function contextPaths(r: ImageRecipe): string[] {
  return ['package.json', r.lockFile, r.tsconfigFile, r.srcdir, ...r.assets];
}

/**
 * Renders `.dockerignore` as an allow-list, so a new file in the project
 * stays out of the build context until the Dockerfile needs it. Pure.
 */
export function renderDockerignore(r: ImageRecipe, marker?: string): string {
  return [
    ...(marker ? [`# ${marker}`] : []),
    '# Allow-list: deny everything, then admit exactly what the Dockerfile copies.',
    '**',
    ...contextPaths(r).map((p) => `!${p}`),
    '# Deny again inside the admitted folders.',
    ...DOCKERIGNORE_DENY,
  ].join('\n') + '\n';
}
