import { Exact, isExact, parseAnswer, type Row, rowsOf } from "../answer";
import { get } from "../client";
import { type Command, modeOf, queryOf, tableOf, type Values } from "../command";
import { csvOf } from "../csv";
import { usageError } from "../exit";
import { FROM, helpOf, KEY_ID, type Parameter, parameter, TAG, TO, USER } from "../parameters";
import { fieldsOf } from "../table";

/** Without --columns: when, which request and attempt, where, how it ended, tokens, cost, latency. */
const REQUEST_COLUMNS = ["time", "request_id", "attempt", "endpoint", "model", "status", "input_tokens", "cached_tokens", "output_tokens", "cost_usd", "latency_ms"];
const PAGE_WITH_ALL = "1000";
const MAX_ROWS = 10_000;

const PAGE_PARAMETERS: Parameter[] = [
  parameter("limit", "N", "rows per page (1..1000; the server's default is 100)"),
  parameter("cursor", "C", "the page after the one that gave C"),
];
/** Every filter GET /v1/spend/requests takes. */
const FILTERS: Parameter[] = [
  parameter("endpoint", "E", "chat.completions, responses, intent, route, ..."),
  parameter("model", "M", "gpt-5.4-nano, gpt-5.4-mini"),
  parameter("tier", "TIER", "service_tier: default, flex, priority, batch", "service_tier"),
  parameter("status", "CODE", "the HTTP status, 200 or an error's"),
  parameter("request-id", "ID", "one request's attempts (the answer's id)"),
  parameter("batch-id", "ID", "one Batch API batch's rows"),
  TAG,
  USER,
  FROM,
  TO,
  KEY_ID,
];

/** The listed rows' sums of every token count and amount (fields ending in _tokens or _usd), exact. */
function totalsOf(rows: Row[]): Row {
  const summed = fieldsOf(rows).filter((f) => /_(tokens|usd)$/.test(f));
  const sum = (field: string) => rows.map((row) => row[field]).filter(isExact).reduce((total, v) => total.plus(v), new Exact(0));
  return Object.fromEntries(summed.map((field) => [field, sum(field)]));
}

function maxRows(values: Values): number {
  if (values.max === undefined) return MAX_ROWS;
  const max = Number(values.max);
  if (!Number.isSafeInteger(max) || max < 1) throw usageError(`--max takes a whole number of rows, not ${JSON.stringify(values.max)}`);
  return max;
}

export const requests: Command = {
  name: "requests",
  summary: "the ledger, newest first: one row per billed upstream attempt (GET /v1/spend/requests)",
  help: `Usage: nanometer requests [--limit N] [--cursor C | --all [--max ROWS]] [filters]

One page of ledger rows, newest first, and the page's token and cost totals; the next page's
--cursor goes to stderr. The table's columns:
  ${REQUEST_COLUMNS.join(", ")}
and with --columns all every field (key_id, upstream, error, tags, end_user, ...).

${helpOf(PAGE_PARAMETERS)}
  --all               follow next_cursor to the end, ${PAGE_WITH_ALL} rows a page unless --limit says
                      otherwise; --json then prints each page's body on its own line (JSON Lines)
  --max ROWS          with --all, stop after this many rows (default ${MAX_ROWS})
Filters, passed as given (the server answers 400 for a value it does not take):
${helpOf(FILTERS)}`,
  parameters: [...PAGE_PARAMETERS, ...FILTERS],
  options: {
    all: { type: "boolean" },
    max: { type: "string" },
  },
  async run(values, io) {
    const mode = modeOf(values);
    const all = values.all === true;
    const max = maxRows(values);
    const query = queryOf(values, [...PAGE_PARAMETERS, ...FILTERS]);
    if (all && !query.has("limit")) query.set("limit", PAGE_WITH_ALL);

    const rows: Row[] = [];
    let next: string | null = null;
    do {
      if (next) query.set("cursor", next);
      const answer = await get(io.config, "/v1/spend/requests", query);
      if (mode === "json") {
        io.out(answer.bytes);
        if ((all || io.terminal) && !answer.text.endsWith("\n")) io.out("\n");
      }
      const body = parseAnswer(answer);
      rows.push(...rowsOf(body, "data"));
      next = typeof body.next_cursor === "string" ? body.next_cursor : null;
    } while (all && next && rows.length < max);

    if (next) io.note(all ? `stopped at ${rows.length} rows (--max ${max}); to go on: --cursor ${next}` : `next page: --cursor ${next}`);
    if (mode === "json") return;
    if (mode === "csv") return io.out(csvOf(rows));
    if (rows.length === 0) return io.out("No requests.\n");
    io.out(tableOf({ rows, totals: totalsOf(rows), leading: [], defaults: REQUEST_COLUMNS }, values));
  },
};
