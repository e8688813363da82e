import { request } from 'http';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * An answer rather than the error a caught {@link httpGet} leaves. Not `instanceof Error`: node's
 * errors come from another realm where the caller runs in a vm context (jest).
 */
export const isAnswer = (answer: HttpAnswer | Error): answer is HttpAnswer => typeof (answer as HttpAnswer).status === 'number';

/** A plain GET with a hard timeout; no proxies, no retries: we probe loopback only. */
export function httpGet(url: string, timeoutMs = 3000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
