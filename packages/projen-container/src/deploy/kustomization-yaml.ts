import { stringify } from 'yaml';

/**
 * A kustomization as YAML 1.1, with the marker on top. kustomize reads a
 * kustomization.yaml as YAML 1.1, where a bare `y`, `no` or `on` is a boolean
 * and `1_0` a number: an image named so would not load. YAML 1.1 quotes them,
 * where projen's YamlFile writes YAML 1.2 and leaves them bare. Pure.
 */
export function renderKustomization(kustomization: unknown, marker: string | undefined): string {
  const body = stringify(kustomization, { version: '1.1', indent: 2, lineWidth: 0, aliasDuplicateObjects: false });
  return `${marker ? `# ${marker}\n\n` : ''}${body}`;
}
