/** Throws naming the component, the field, the rule and the value. */
export function fail(component: string, field: string, must: string, got: unknown): never {
  throw new Error(`${component}: "${field}" ${must}, got ${JSON.stringify(got)}`);
}

/** A tagged, non-`latest` image reference, optionally with a digest. */
export function checkImageRef(field: string, image: string): string {
  const m = /^[\w][\w.-]*(?::\d+)?(?:\/[\w][\w.-]*)*:([\w][\w.-]{0,127})(@sha256:[a-f0-9]{64})?$/.exec(image);
  if (!m || m[1] === 'latest') fail('ComposeStack', field, 'must be an image reference with an explicit tag other than latest', image);
  return image;
}

/** A repository without tag or digest: kustomize appends the digest. */
export function checkRepository(field: string, value: string): string {
  if (!/^[a-z0-9][a-z0-9.-]*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$/.test(value)) {
    fail('KubernetesManifests', field, 'must be a lowercase registry/repository without tag or digest', value);
  }
  return value;
}

export function checkInt(component: string, field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) fail(component, field, `must be an integer ${min}-${max}`, value);
  return value;
}
