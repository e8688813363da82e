import { isUtf8 } from 'node:buffer';
import { MIMEType } from 'node:util';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-errors';

/** The one type of body the API reads. Any other is answered 415 (fastify's own error). */
export const JSON_BODY_TYPE = 'application/json';

/**
 * Whether a Content-Type announces UTF-8: it has no charset, or one the WHATWG Encoding labels name
 * UTF-8 ("utf-8", "utf8", "unicode-1-1-utf-8", …, in any case). One node cannot parse announces nothing we read.
 */
function announcesUtf8(contentType: string): boolean {
  try {
    const charset = new MIMEType(contentType).params.get('charset');
    return charset === null || new TextDecoder(charset).encoding === 'utf-8';
  } catch {
    return false;
  }
}

/** The first of `body`'s bytes that is not part of valid UTF-8: where decoding first had to replace one. */
function firstInvalidByte(body: Buffer): number {
  const decoded = Buffer.from(body.toString('utf8'));
  let at = 0;
  while (body[at] === decoded[at]) at += 1;
  return at;
}

// With the u flag, the surrogate category matches only a surrogate not paired into a code point.
const loneSurrogate = /\p{Cs}/u;

/**
 * The first part of a parsed body that is refused, with its path: a key that could reach an
 * object's prototype once the body is merged into another (`__proto__`, `constructor.prototype`,
 * what fastify's own parser refuses as poisoning), or a string with a lone surrogate, which is
 * not Unicode text and would be stored as U+FFFD. Iterative, and a path is joined only once
 * refused: a deeply nested body costs neither stack nor time.
 */
function refusedPart(body: unknown): HttpError | undefined {
  type Path = { key: string; parent?: Path } | undefined;
  const join = (path: Path): string => {
    const keys: string[] = [];
    for (let part = path; part; part = part.parent) keys.push(part.key);
    return keys.reverse().join('.') || 'body';
  };
  const refuse = (path: Path, problem: string): HttpError => new HttpError(400, `${join(path)}: ${problem}`, join(path));
  const pending: [value: unknown, path: Path][] = [[body, undefined]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string' && loneSurrogate.test(value)) return refuse(path, 'is not Unicode text: it holds a lone surrogate');
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, item] of Object.entries(value).reverse()) {
      const at = { key, parent: path };
      if (key === '__proto__') return refuse(at, 'is not an allowed key');
      if (key === 'constructor' && typeof item === 'object' && item !== null && Object.hasOwn(item, 'prototype')) {
        return refuse({ key: 'prototype', parent: at }, 'is not an allowed key');
      }
      if (loneSurrogate.test(key)) return refuse(at, 'the key is not Unicode text: it holds a lone surrogate');
      pending.push([item, at]);
    }
  }
  return undefined;
}

/**
 * The parser of JSON bodies (fastify's `addContentTypeParser`, with the body as a buffer), in
 * place of fastify's own, which decodes any charset as UTF-8, stores invalid UTF-8 and lone
 * surrogates as U+FFFD, and calls a prototype key invalid JSON. Each refusal names the
 * part at fault, as a schema's does.
 */
export async function parseJsonBody(request: FastifyRequest, body: Buffer): Promise<unknown> {
  if (!announcesUtf8(request.headers['content-type'] ?? JSON_BODY_TYPE)) throw new HttpError(415, `Unsupported Media Type: ${JSON_BODY_TYPE} must be UTF-8`);
  if (body.length === 0) throw new HttpError(400, 'body: is empty, and JSON was announced', 'body');
  if (!isUtf8(body)) throw new HttpError(400, `body: is not valid UTF-8 (at byte ${firstInvalidByte(body)})`, 'body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new HttpError(400, 'body: is not valid JSON', 'body');
  }
  const refused = refusedPart(parsed);
  if (refused) throw refused;
  return parsed;
}
