import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { firstLine } from './first-line';

export interface PromptTemplate {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly variables: readonly string[];
  readonly body: string;
}

/** Templates by name, validated once at startup and read-only afterwards. */
export type PromptCatalog = ReadonlyMap<string, PromptTemplate>;

/** Thrown for a missing folder or an invalid template; the message is a single line naming file and field. */
export class PromptError extends Error {
  constructor(message: string) {
    super(`prompt error: ${message}`);
    this.name = 'PromptError';
  }
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

const frontMatterSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case'),
  description: z.string().trim().min(1),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a semantic version like 1.0.0'),
  variables: z.array(z.string().regex(identifier, 'must be an identifier'))
    .refine((names) => new Set(names).size === names.length, 'must not contain duplicates'),
});

// Captures anything between double braces so malformed placeholders are reported rather than ignored.
const placeholderPattern = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function loadPrompts(dir: string): PromptCatalog {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new PromptError(`prompts folder not found: ${dir}`);
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
  if (files.length === 0) {
    throw new PromptError(`no *.md templates in ${dir}`);
  }
  const catalog = new Map<string, PromptTemplate>();
  for (const file of files) {
    const template = parseTemplate(file, readFileSync(path.join(dir, file), 'utf8'));
    catalog.set(template.name, template);
  }
  return catalog;
}

export function parseTemplate(file: string, source: string): PromptTemplate {
  const fail = (field: string, message: string): never => {
    throw new PromptError(`${file}: ${field}: ${message}`);
  };

  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/.exec(source);
  if (!match) {
    return fail('front matter', 'missing; the file must start with a --- delimited YAML block');
  }
  const [, yamlText, rawBody] = match;

  let data: unknown;
  try {
    data = parseYaml(yamlText);
  } catch (err) {
    return fail('front matter', `invalid YAML: ${firstLine(err)}`);
  }
  const parsed = frontMatterSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(issue.path.join('.') || 'front matter', issue.message);
  }
  const meta = parsed.data;

  const expectedName = path.basename(file, '.md');
  if (meta.name !== expectedName) {
    fail('name', `"${meta.name}" does not match the file name "${expectedName}"`);
  }

  const body = rawBody.trim();
  if (body === '') {
    fail('body', 'is empty');
  }
  const used = new Set<string>();
  for (const [, placeholder] of body.matchAll(placeholderPattern)) {
    if (!identifier.test(placeholder)) {
      fail('body', `malformed placeholder {{${placeholder}}}`);
    }
    used.add(placeholder);
  }
  for (const placeholder of used) {
    if (!meta.variables.includes(placeholder)) {
      fail('body', `placeholder {{${placeholder}}} is not declared in variables`);
    }
  }
  for (const variable of meta.variables) {
    if (!used.has(variable)) {
      fail('variables', `"${variable}" is declared but never used in the body`);
    }
  }

  return { ...meta, body };
}
