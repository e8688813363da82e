import { archOf } from './container-image-props';

/** One platform's local image, `<imageName>:<version>-<arch>`: what docker:build tags, verify checks and publish pushes. */
export function platformTag(imageName: string, version: string, platform: string): string {
  return archTag(imageName, version, archOf(platform));
}

/** The same tag from the architecture, where a workflow's matrix knows only that (`${{ matrix.arch }}`). */
export function archTag(imageName: string, version: string, arch: string): string {
  return `${imageName}:${version}-${arch}`;
}

/**
 * The shell that names the engine's own platform's image `<imageName>:<version>`
 * and `latest`, so `docker run <imageName> whoami` runs natively; the first
 * declared platform's when the engine runs none of them.
 */
export function nativeAliasScript(docker: string, imageName: string, version: string, platforms: readonly string[]): string {
  const arches = platforms.map(archOf);
  return [
    `arch="$(${docker} version --format '{{.Server.Arch}}')"`,
    `case "$arch" in ${arches.join('|')}) ;; *) arch=${arches[0]} ;; esac`,
    `${docker} tag ${archTag(imageName, version, '"$arch"')} ${imageName}:${version}`,
    `${docker} tag ${archTag(imageName, version, '"$arch"')} ${imageName}:latest`,
  ].join(' && ');
}
