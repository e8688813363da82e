import type { Database } from '../../../src/database';

/** A stand-in whose probe and queries behave as each test dictates. */
export function fakeDatabase(overrides: Partial<Database> = {}): Database & { closed: boolean } {
  const db = {
    closed: false,
    query: async <Row>() => [] as Row[],
    probe: async () => undefined,
    close: async () => {
      db.closed = true;
    },
    ...overrides,
  };
  return db;
}
