import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { shiftClock } from "./support/clock";

shiftClock(env.NANOMETER_TEST_CLOCK_OFFSET_MS);
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
