import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from './database';

/** The label of requests no route matched: one series for every unknown URL, not one each. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface AppMetrics {
  readonly registry: Registry;
  /** onRequest: the request is in flight. */
  started(request: FastifyRequest): void;
  /** onResponse: counted and timed by route template, method and status. */
  answered(request: FastifyRequest, reply: FastifyReply): void;
  /** onRequestAbort: no longer in flight, whether or not an answer follows. */
  aborted(request: FastifyRequest): void;
}

/**
 * One worker's figures, in a registry of its own (not prom-client's global
 * one), so every app built in a process counts only itself.
 */
export function createMetrics(db: Database | undefined): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['route', 'method', 'status_code'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'Requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to the end of its answer',
    labelNames,
    // From a probe served in memory to a request that waited out the database budget.
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlight = new Gauge({ name: 'http_requests_in_flight', help: 'Requests received and not yet answered', registers: [registry] });
  if (db) {
    new Gauge({
      name: 'db_pool_connections',
      help: 'PostgreSQL pool connections: total open, idle, and requests waiting for one',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const { total, idle, waiting } = db.poolStats();
        this.set({ state: 'total' }, total);
        this.set({ state: 'idle' }, idle);
        this.set({ state: 'waiting' }, waiting);
      },
    });
  }
  const leave = (request: FastifyRequest): void => {
    if (!request.inFlight) return;
    request.inFlight = false;
    inFlight.dec();
  };
  return {
    registry,
    started(request) {
      request.inFlight = true;
      inFlight.inc();
    },
    answered(request, reply) {
      leave(request);
      const labels = { route: request.routeOptions.url ?? UNMATCHED_ROUTE, method: request.method, status_code: reply.statusCode };
      requests.inc(labels);
      duration.observe(labels, reply.elapsedTime / 1000);
    },
    aborted: leave,
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Counted in http_requests_in_flight, until answered or aborted, whichever comes first. */
    inFlight: boolean;
  }
}
