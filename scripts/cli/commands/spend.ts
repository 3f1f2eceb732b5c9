import { parseAnswer, type Row, rowsOf } from "../answer";
import { get } from "../client";
import { type Command, modeOf, queryOf, tableOf, writeBody } from "../command";
import { FROM, helpOf, KEY_ID, type Parameter, parameter, TAG, TO, USER } from "../parameters";
import type { View } from "../table";
import { oneLine } from "../visible";

/** The metrics a table shows without --columns: what was spent, on what, against mini. */
export const SPEND_COLUMNS = ["requests", "errors", "input_tokens", "cached_tokens", "output_tokens", "cost_usd", "mini_cost_usd", "saved_usd", "cache_hit_ratio"];

/** Group columns are the fields a row has and the totals do not, so new groups show with no change here. */
export function groupedView(rows: Row[], totals: Row, defaults: readonly string[]): View {
  const metrics = new Set(Object.keys(totals));
  const leading = [...new Set(rows.flatMap((row) => Object.keys(row).filter((f) => !metrics.has(f))))];
  return { rows, totals, leading, defaults };
}

const SPEND_PARAMETERS: Parameter[] = [
  FROM,
  TO,
  parameter("by", "GROUPS", "group_by (default day), comma-separated: day, endpoint, model, tier, key, user, tag:NAME", "group_by"),
  TAG,
  USER,
  KEY_ID,
];

export const spend: Command = {
  name: "spend",
  summary: "spend and savings over a range, grouped (GET /v1/spend)",
  help: `Usage: nanometer spend [--from DAY] [--to DAY] [--by GROUPS] [--tag NAME:VALUE | --user USER] [--key-id ID]

Spend over from..to (inclusive UTC days, YYYY-MM-DD; the server's default is the last 30 days),
one row per group and a total, then the monthly projection. The table's columns: the groups, then
  ${SPEND_COLUMNS.join(", ")}
and with --columns all every metric the server answers (agreement, shadow costs, ...). A group
or filter the server does not take is its 400.

${helpOf(SPEND_PARAMETERS)}`,
  parameters: SPEND_PARAMETERS,
  options: {},
  async run(values, io) {
    const query = queryOf(values, SPEND_PARAMETERS);
    const mode = modeOf(values);
    if (mode === "csv") query.set("format", "csv");
    const answer = await get(io.config, "/v1/spend", query);
    if (mode !== "table") return writeBody(io, answer);
    const body = parseAnswer(answer);
    const rows = rowsOf(body, "rows");
    const table = rows.length === 0 ? "No spend in this range.\n" : tableOf(groupedView(rows, (body.totals ?? {}) as Row, SPEND_COLUMNS), values);
    io.out(`Spend from ${oneLine(String(body.from))} to ${oneLine(String(body.to))}\n\n${table}`);
    if (body.projection && typeof body.projection === "object") {
      const projection = tableOf({ rows: [body.projection as Row], leading: [], defaults: "all" }, {});
      io.out(`\nProjection: a month at the rate of the last 7 whole days\n\n${projection}`);
    }
  },
};
