import type { Database, Query } from '../../../src/database';

/** A stand-in whose probe and queries behave as each test dictates. */
export function fakeDatabase(overrides: Partial<Database> = {}): Database & { closed: boolean } {
  const db = {
    closed: false,
    query: async <Row>() => [] as Row[],
    probe: async () => undefined,
    answeredWithin: () => false,
    poolStats: () => ({ total: 0, idle: 0, waiting: 0 }),
    transaction: async <T>(work: (query: Query) => Promise<T>): Promise<T> => work(db.query),
    close: async () => {
      db.closed = true;
    },
    ...overrides,
  };
  return db;
}
