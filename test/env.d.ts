import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../workers/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      MIGRATION_DB: D1Database;
      NANOMETER_TEST_CLOCK_OFFSET_MS: string;
    }
  }
}
