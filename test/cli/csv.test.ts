/** The CSV the command builds itself (requests, cache, keys): what a spreadsheet opening it would run. */
import { describe, expect, it } from "vitest";
import { parseAnswer, rowsOf } from "../../scripts/cli/answer";
import { csvOf } from "../../scripts/cli/csv";
import { renderTable } from "../../scripts/cli/table";

const answerOf = (text: string) => parseAnswer({ bytes: new TextEncoder().encode(text), text, contentType: "application/json" });

describe("the command's CSV", () => {
  it("gives text that starts a formula a leading ', never a number: -0.0003 stays a number", () => {
    const rows = rowsOf(answerOf(String.raw`{"data":[
      {"a":"=HYPERLINK(\"x\")","b":"+1","c":"-x","d":"@SUM(A1)","e":"\tlead","saved_usd":-0.0003,"f":"a-b=c"}]}`), "data");
    expect(csvOf(rows).split("\r\n")[1]).toBe(`"'=HYPERLINK(""x"")",'+1,'-x,'@SUM(A1),'\tlead,-0.0003,a-b=c`);
  });

  it("shows controls as escapes, keeping tab and newline inside a quoted field; a CR is escaped too", () => {
    const rows = rowsOf(answerOf(String.raw`{"data":[{"name":"a\u001b[2Jb\u009bc\u007fd","note":"one\ntwo\tthree\r"}]}`), "data");
    expect(csvOf(rows).split("\r\n")[1]).toBe(String.raw`a\x1b[2Jb\u009bc\x7fd,"one` + "\ntwo\tthree" + String.raw`\x0d"`);
  });
});

describe("a table", () => {
  it("shows the controls of its header as escapes too", () => {
    const rows = rowsOf(answerOf(String.raw`{"data":[{"x\u009b2J":"a\tb\nc"}]}`), "data");
    expect(renderTable({ rows, leading: [], defaults: "all" }, Object.keys(rows[0]!))).toBe(String.raw`x\u009b2J` + "\na b c\n");
  });
});
