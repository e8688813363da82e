// Validates the OpenAPI document on stdin against the specification's own JSON schemas and prints
// {"valid", "errors", "version"}. A separate process: the validator is ESM-only, which jest's
// CommonJS runtime cannot load without experimental VM modules.
import { Validator } from '@seriousme/openapi-schema-validator';

let text = '';
for await (const chunk of process.stdin) text += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(text));
process.stdout.write(JSON.stringify({ valid: result.valid, errors: result.errors ?? [], version: validator.version }));
