import type { FastifyInstance } from 'fastify';

export interface TestRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  url: string;
  /** A string or a buffer is sent as is; anything else as JSON. */
  payload?: unknown;
  headers?: Record<string, string>;
  /** How long the client waits for the whole answer before giving up, as a load balancer would; unbounded when unset. */
  timeoutMs?: number;
}

export interface TestResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): any;
}

/**
 * Like fastify's `app.inject`, but over a real loopback socket: inject's
 * light-my-request needs the ESM-only `cookie` package, which Jest cannot
 * require on Node 20.
 */
export async function inject(app: FastifyInstance, request: TestRequest): Promise<TestResponse> {
  if (!app.server.listening) {
    await app.listen({ host: '127.0.0.1', port: 0 });
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('app is not listening on TCP');
  const headers: Record<string, string> = { ...request.headers };
  let body: string | Buffer | undefined;
  if (typeof request.payload === 'string' || Buffer.isBuffer(request.payload)) {
    body = request.payload;
  } else if (request.payload !== undefined) {
    body = JSON.stringify(request.payload);
    headers['content-type'] ??= 'application/json';
  }
  const signal = request.timeoutMs === undefined ? undefined : AbortSignal.timeout(request.timeoutMs);
  const response = await fetch(`http://127.0.0.1:${address.port}${request.url}`, { method: request.method, headers, body, signal });
  const text = await response.text();
  return {
    statusCode: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    body: text,
    json: () => JSON.parse(text),
  };
}
