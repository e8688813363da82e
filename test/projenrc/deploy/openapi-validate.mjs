// Validates Kubernetes objects against kubernetes-models' OpenAPI schemas. ESM, because
// kubernetes-models 5 is ESM-only and jest's module loader cannot import it: the tests
// run this file with node and read its verdicts (test/projenrc/deploy/openapi.ts).
// stdin: a JSON array of objects. stdout: a JSON array, per object, of error messages.
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const verdicts = [];
for (const o of objects) {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : [undefined, o.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${o.kind}` : `kubernetes-models/${version}/${o.kind}`;
  let model;
  try {
    model = (await import(path))[o.kind];
  } catch (e) {
    verdicts.push([`no model for ${o.apiVersion} ${o.kind}: ${e.message}`]);
    continue;
  }
  try {
    new model(o).validate();
    verdicts.push([]);
  } catch (e) {
    verdicts.push([e.message]);
  }
}
process.stdout.write(JSON.stringify(verdicts));
