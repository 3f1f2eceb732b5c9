/**
 * The table and CSV of answers the server does not give yet: group columns it is adding (tier,
 * tag:<name>), a new metric, and money with more digits than a double holds (exact to 1e-12).
 */
import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { parseAnswer, type Row, rowsOf } from "../../scripts/cli/answer";
import { groupedView, SPEND_COLUMNS } from "../../scripts/cli/commands/spend";
import { csvOf } from "../../scripts/cli/csv";
import { chooseColumns, renderTable } from "../../scripts/cli/table";

const rows = [
  `{"day":"2026-11-27","tier":"flex","tag:feature":"検索","requests":2,"cost_usd":123456.123456789012,"saved_usd":0.000000000001,"p95_ms":41.5}`,
  `{"day":"2026-11-27","tier":"priority","tag:feature":null,"requests":1,"cost_usd":0.5,"saved_usd":0,"p95_ms":7}`,
];
const text = `{"from":"2026-11-27","to":"2026-11-27","rows":[${rows.join(",")}],
  "totals":{"requests":3,"cost_usd":123456.623456789012,"saved_usd":0.000000000001,"p95_ms":41.5}}`;
const answer = { bytes: new TextEncoder().encode(text), text, contentType: "application/json" };

const body = parseAnswer(answer);
const view = groupedView(rowsOf(body, "rows"), body.totals as Row, SPEND_COLUMNS);

describe("a spend table built from the answer", () => {
  it("takes group columns from the rows and metrics from the totals, with no list of them", () => {
    expect(chooseColumns(view, undefined)).toEqual(["day", "tier", "tag:feature", "requests", "cost_usd", "saved_usd"]);
    expect(chooseColumns(view, "all")).toEqual(["day", "tier", "tag:feature", "requests", "cost_usd", "saved_usd", "p95_ms"]);
  });

  it("shows money exactly, to the 1e-12 the API keeps, where a double would have rounded it", () => {
    expect(123456.123456789012.toFixed(12)).not.toBe("123456.123456789012");
    const lines = renderTable(view, chooseColumns(view, "all")).split("\n");
    expect(lines[1]).toMatch(/ 123456\.123456789012 +0\.000000000001 +41\.50$/);
    expect(lines[2]).toMatch(/^2026-11-27 +priority +- +1 +0\.500000000000 +0\.000000000000 +7\.00$/);
    expect(lines[4]).toMatch(/^total +3 +123456\.623456789012 +0\.000000000001 +41\.50$/);
  });

  it("keeps columns aligned when a value is wider than its length (CJK)", () => {
    const lines = renderTable(view, chooseColumns(view, "all")).trimEnd().split("\n");
    expect(new Set(lines.map((line) => stringWidth(line))).size).toBe(1);
  });

  it("writes the same exact figures to CSV", () => {
    expect(csvOf(view.rows).split("\r\n")).toEqual([
      "day,tier,tag:feature,requests,cost_usd,saved_usd,p95_ms",
      "2026-11-27,flex,検索,2,123456.123456789012,0.000000000001,41.5",
      "2026-11-27,priority,,1,0.5,0,7",
      "",
    ]);
  });
});
