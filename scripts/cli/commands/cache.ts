import { parseAnswer, type Row, rowsOf } from "../answer";
import { get } from "../client";
import { type Command, modeOf, queryOf, tableOf, writeBody } from "../command";
import { csvOf } from "../csv";
import { FROM, helpOf, KEY_ID, type Parameter, TO } from "../parameters";
import { oneLine } from "../visible";
import { groupedView } from "./spend";

/** Without --columns: the hit ratio, and what caching the whole fixed prefix would have saved. */
const CACHE_COLUMNS = ["input_tokens", "cached_tokens", "cache_hit_ratio", "prefix_tokens", "prefix_uncached_tokens", "prefix_saving_usd"];
const CACHE_PARAMETERS: Parameter[] = [FROM, TO, KEY_ID];

export const cache: Command = {
  name: "cache",
  summary: "prompt cache hits and what a cached prefix would save, per endpoint (GET /v1/spend/cache)",
  help: `Usage: nanometer cache [--from DAY] [--to DAY] [--key-id ID]

Per endpoint over from..to (inclusive UTC days; the server's default is the last 30 days), and a
total. The table's columns: endpoint, then
  ${CACHE_COLUMNS.join(", ")}
and with --columns all every field the server answers.

${helpOf(CACHE_PARAMETERS)}`,
  parameters: CACHE_PARAMETERS,
  options: {},
  async run(values, io) {
    const mode = modeOf(values);
    const answer = await get(io.config, "/v1/spend/cache", queryOf(values, CACHE_PARAMETERS));
    if (mode === "json") return writeBody(io, answer);
    const body = parseAnswer(answer);
    const rows = rowsOf(body, "rows");
    if (mode === "csv") return io.out(csvOf(rows));
    const table = rows.length === 0 ? "No calls in this range.\n" : tableOf(groupedView(rows, (body.totals ?? {}) as Row, CACHE_COLUMNS), values);
    io.out(`Prompt cache from ${oneLine(String(body.from))} to ${oneLine(String(body.to))}\n\n${table}`);
  },
};
