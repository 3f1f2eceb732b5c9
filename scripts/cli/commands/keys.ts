import { parseAnswer, type Row, rowsOf } from "../answer";
import { get } from "../client";
import { type Command, modeOf, queryOf, tableOf, writeBody } from "../command";
import { csvOf } from "../csv";
import type { View } from "../table";

/** A key's name in the table without --columns: at most this wide, so that a line fits 120 columns. */
const NAME_WIDTH = 16;

/**
 * A key as the table shows it without --columns: who it is, the day it was revoked, its rate
 * limit, and what it spent against its budgets today and this month (UTC).
 */
const summaryOf = (key: Row): Row => ({
  id: key.id ?? null,
  name: key.name ?? null,
  prefix: key.key_prefix ?? null,
  revoked: typeof key.revoked === "string" ? key.revoked.slice(0, 10) : null,
  rpm: key.rpm ?? null,
  today_usd: key["spend.day.spent_usd"] ?? null,
  day_budget_usd: key.daily_budget_usd ?? null,
  month_usd: key["spend.month.spent_usd"] ?? null,
  month_budget_usd: key.monthly_budget_usd ?? null,
});

export const keys: Command = {
  name: "keys",
  summary: "the API keys, revoked ones included (GET /v1/admin/keys; admin token)",
  help: `Usage: nanometer keys

Every API key, one line each that fits 120 columns. The table's columns:
  ${Object.keys(summaryOf({})).join(", ")}
(names cut to ${NAME_WIDTH} columns; revoked is the UTC day; today_usd and month_usd are what the key
spent in this UTC day and month), and with --columns all every field the server answers: full
timestamps, and spend and reservations per period as spend.day.* and spend.month.*. --columns a,b
picks among those fields. Needs the admin token in NANOMETER_KEY; a key gets a 403.`,
  parameters: [],
  options: {},
  async run(values, io) {
    const mode = modeOf(values);
    const answer = await get(io.config, "/v1/admin/keys", queryOf(values, []));
    if (mode === "json") return writeBody(io, answer);
    const rows = rowsOf(parseAnswer(answer), "data");
    if (mode === "csv") return io.out(csvOf(rows));
    if (rows.length === 0) return io.out("No keys yet.\n");
    const view: View =
      values.columns === undefined
        ? { rows: rows.map(summaryOf), leading: [], defaults: "all", widest: { name: NAME_WIDTH } }
        : { rows, leading: [], defaults: "all" };
    io.out(`${tableOf(view, values)}\n${rows.length} ${rows.length === 1 ? "key" : "keys"}\n`);
  },
};
