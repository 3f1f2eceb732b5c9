import { runWrangler } from "./wrangler";

/** A row of the status table wrangler prints again after each migration: `│ 0003_key_spend.sql │ ✅ │`. */
const APPLIED_ROW = /^│ (\S+\.sql) +│ ✅/gm;

/**
 * Applies the D1 migrations to the local D1 under `persistTo`, wrangler's output kept: one line
 * to say what was done, or, when wrangler fails, all it printed.
 */
export async function migrateLocalD1(persistTo: string): Promise<{ ok: true; summary: string } | { ok: false; output: string }> {
  const { code, output } = await runWrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
  if (code !== 0) return { ok: false, output };
  const applied = new Set(Array.from(output.matchAll(APPLIED_ROW), (row) => row[1])).size;
  return { ok: true, summary: applied === 0 ? "D1: up to date" : `D1: ${applied} migration${applied === 1 ? "" : "s"} applied` };
}
