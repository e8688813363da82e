import { Document, parse, visit } from 'yaml';

/**
 * Whether a one-line string, left bare, reads as another type in YAML 1.2
 * (`0o17`, `1e3`, `null`). Strings YAML 1.1 would misread, the 1.1
 * stringifier quotes itself.
 */
function misreadIn12(value: string): boolean {
  if (value.includes('\n') || value.trim() === '') return false;
  try {
    const read: unknown = parse(value);
    return read === null || typeof read === 'number' || typeof read === 'boolean';
  } catch {
    return false;
  }
}

/**
 * A file kustomize reads (a kustomization, an object, a patch), with the
 * marker on top, and every string quoted that either YAML version would read
 * as something else. kustomize's reader takes YAML 1.1's booleans and
 * numbers (a bare `y`, `no`, `1_0`, `1_`) and YAML 1.2's (`0o17`): an image
 * so named would not load, and an env value so written would reach the API
 * as a number. projen's YamlFile writes YAML 1.2 and leaves 1.1's bare. Pure.
 */
export function renderKubernetesYaml(obj: unknown, marker: string | undefined): string {
  const doc = new Document(obj, { version: '1.1', aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && misreadIn12(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return `${marker ? `# ${marker}\n\n` : ''}${doc.toString({ indent: 2, lineWidth: 0 })}`;
}
