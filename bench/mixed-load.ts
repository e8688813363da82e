/**
 * A mixed read/write load on the course API with autocannon: each connection
 * creates a course, reads it back by id and lists a page, over and over.
 * Bounded in time; meant for loopback targets.
 */
// bench/ is dev-time tooling like projenrc-local/: its dependencies are devDependencies.
import autocannon from 'autocannon';

export interface MixedLoadOptions {
  baseUrl: string;
  /** Concurrent connections; 50 by default. */
  connections?: number;
  /** Seconds; 5 by default. */
  durationS?: number;
}

export interface MixedLoadResult {
  requests: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  p50Ms: number;
  p99Ms: number;
  rps: number;
}

interface CourseContext {
  courseId?: string;
}

export async function mixedLoad(opts: MixedLoadOptions): Promise<MixedLoadResult> {
  const result = await autocannon({
    url: opts.baseUrl,
    connections: opts.connections ?? 50,
    duration: opts.durationS ?? 5,
    // Seconds: a request slower than this counts as an error, not a hang.
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/courses',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Mixed load', description: 'Written by bench/mixed-load.ts' }),
        onResponse: (status, body, context: CourseContext) => {
          context.courseId = status === 201 ? (JSON.parse(body) as { id: string }).id : undefined;
        },
      },
      {
        method: 'GET',
        // A failed create leaves no id to read: an unknown one keeps the mix and counts as the 404 it is.
        setupRequest: (request, context: CourseContext) => ({
          ...request,
          path: `/api/v1/courses/${context.courseId ?? '00000000-0000-4000-8000-000000000000'}`,
        }),
      },
      { method: 'GET', path: '/api/v1/courses?limit=20' },
    ],
  });
  return {
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    rps: result.requests.average,
  };
}
