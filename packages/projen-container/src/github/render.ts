import { stringify } from 'yaml';
import { ACTIONS } from './actions';

/** `# vX.Y.Z` after each pinned `uses:` line, so a reader sees the release. Pure. */
export function annotatePins(yamlText: string): string {
  const versions = new Map<string, string>(Object.values(ACTIONS).map((a) => [a.uses, a.version]));
  return yamlText.replace(/^(\s*(?:- )?uses: (\S+))$/gm, (line, _all, uses: string) => {
    const version = versions.get(uses);
    return version ? `${line} # ${version}` : line;
  });
}

/** A workflow as YAML, with the marker on top and the pins annotated. Pure. */
export function renderWorkflow(workflow: Record<string, unknown>, marker?: string): string {
  const body = annotatePins(stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false }));
  return `${marker ? `# ${marker}\n\n` : ''}${body}`;
}
