import { drizzle } from "drizzle-orm/d1";

export type Db = ReturnType<typeof drizzle>;

const clients = new WeakMap<D1Database, Db>();

/**
 * The Drizzle client of a D1 binding, made once per isolate: building one costs more than the
 * hot path's own queries. The app uses Drizzle's query builder only, so no schema is attached.
 */
export function dbFor(d1: D1Database): Db {
  let db = clients.get(d1);
  if (!db) {
    db = drizzle(d1);
    clients.set(d1, db);
  }
  return db;
}
