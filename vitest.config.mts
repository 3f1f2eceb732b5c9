import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { clockOffset } from "./test/support/clock";

// The suite's clock (test/support/clock.ts), taken once for the isolate and the simulator's process alike.
process.env.NANOMETER_TEST_CLOCK_OFFSET_MS = clockOffset(process.env.NANOMETER_TEST_NOW);

export default defineConfig({
  test: {
    projects: [
      {
        // The gateway, inside workerd, on real local D1, against the simulator as upstream.
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // A second, empty D1 for tests that apply the migrations one by one (test/migrations.test.ts).
              d1Databases: ["MIGRATION_DB"],
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                // Rows are written at once, so a test reads them as soon as a call is done; the
                // queue path has tests of its own (test/ledger-queue.test.ts), which turn it on.
                LEDGER_TRANSPORT: "direct",
                OPENAI_BASE_URL: inject<string>("simulatorUrl"),
                OPENAI_API_KEY: "sk-test-simulator",
                ADMIN_TOKEN: "test-admin-token",
                // The suite's clock (test/support/clock.ts): empty runs it on the real one.
                NANOMETER_TEST_CLOCK_OFFSET_MS: process.env.NANOMETER_TEST_CLOCK_OFFSET_MS ?? "",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          // The dashboard's stylesheets are imported as text (`?raw`); vitest empties CSS it is not told to keep.
          css: { include: [/workers\/dashboard\/public\/.+\.css/, /swagger-ui\.css/] },
          exclude: ["test/simulator/**", "test/cli/**"],
          globalSetup: ["./test/global-setup.ts", "./test/support/webhook-receiver.ts"],
          setupFiles: ["./test/apply-migrations.ts"],
          // Two cores run every file's workerd at once: a test making a dozen metered calls can pass 5 s.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "simulator",
          environment: "node",
          include: ["test/simulator/**/*.test.ts"],
        },
      },
      {
        // The dashboard and /docs in Debian's chromium (playwright-core), and /openapi.json read by outside
        // OpenAPI tools, against `wrangler dev` and the simulator.
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/**/*.e2e.ts", "test/openapi/**/*.e2e.ts"],
          globalSetup: ["./test/support/dev-gateway.ts"],
          // A page or a validator against wrangler dev, on two cores shared with the other projects.
          testTimeout: 60_000,
        },
      },
      {
        // The `nanometer` command, run as its own process against `wrangler dev` and the simulator.
        test: {
          name: "cli",
          environment: "node",
          include: ["test/cli/**/*.{e2e,test}.ts"],
          globalSetup: ["./test/support/dev-gateway.ts"],
          // One file at a time: `keys` compares the whole key list, which other files' keys would change.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
