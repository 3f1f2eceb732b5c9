import { describe, expect, it } from "vitest";
import { RELOAD_NOTE, wranglerLines } from "../../scripts/dev/output";

/** What wrangler dev 4 prints once it is up: its request lines, a reload, a dev registry change with the bindings table again. */
const WRANGLER_OUTPUT = [
  "[wrangler:info] POST /v1/intent 200 OK (118ms)",
  "POST /v1/intent 200 118ms $0.00013485",
  "[wrangler:info] QUEUE nanometer-ledger 1/1 (14ms)",
  "⎔ Reloading local server...",
  "⎔ Local server updated and ready",
  "⎔ Connection status updated",
  "Your Worker has access to the following bindings:",
  "Binding                                                  Resource                  Mode",
  "env.KEY_GATE (KeyGate)                                   Durable Object            local",
  "env.ADMIN_TOKEN (\"(hidden)\")                             Environment Variable      local",
  "",
  "\u001b[33mrollup {\"days\":[],\"deletedLedgerRows\":0}\u001b[39m",
  "GET /v1/spend 200 12ms -",
];

describe("npm start's view of wrangler dev's output", () => {
  it("shows the Worker's lines and a note for a reload, none of wrangler's own", () => {
    const show = wranglerLines();
    expect(WRANGLER_OUTPUT.map(show).filter((line) => line !== null)).toEqual([
      "POST /v1/intent 200 118ms $0.00013485",
      RELOAD_NOTE,
      'rollup {"days":[],"deletedLedgerRows":0}',
      "GET /v1/spend 200 12ms -",
    ]);
  });
});
