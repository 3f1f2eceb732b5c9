import { describe, expect, it } from "vitest";
import { cutDocument, repairRanking, rerank } from "../workers/tasks/rerank";
import { completionWith, expectMeteredAnswer, expectOneLedgerRow, expectRejected } from "./support/tasks";
import { call, createKey, json } from "./support/worker";

const documents = [
  "Reset your password from the login page.",
  "Our office is closed on public holidays.",
  "API keys can be rotated in the dashboard under Settings.",
  "Invoices are emailed on the first of each month.",
  "To rotate a key, create a new one, deploy it, then revoke the old one.",
];

describe("POST /v1/rerank", () => {
  it("answers top_k distinct in-range indices, best first, with their documents, metered exactly in one ledger row", async () => {
    const { key, id: keyId } = await createKey();
    const res = await call("/v1/rerank", { token: key, body: { query: "how do I rotate an API key?", documents, top_k: 3 } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.ranking).toHaveLength(3);
    expect(new Set(body.ranking).size).toBe(3);
    for (const index of body.ranking) expect(index >= 0 && index < documents.length).toBe(true);
    expect(body.documents).toEqual(body.ranking.map((index: number) => ({ index, document: documents[index] })));
    expectMeteredAnswer(res, body);
    await expectOneLedgerRow(key, keyId, "rerank", body);
  });

  it("ranks every document exactly once without top_k, and when top_k is more than there are", async () => {
    const { key } = await createKey();
    for (const top_k of [undefined, 50]) {
      const body = await json(await call("/v1/rerank", { token: key, body: { query: "holidays", documents, top_k } }));
      expect([...body.ranking].sort()).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it("repairs the model's ranking: repeats, out-of-range and non-integers dropped, missing appended in order, cut to top_k", () => {
    expect(repairRanking([3, 3, 9, -1, 1.5, "2", 0], 5, 5)).toEqual([3, 0, 1, 2, 4]);
    expect(repairRanking([3, 3, 9, -1, 1.5, "2", 0], 5, 2)).toEqual([3, 0]);
    expect(repairRanking([], 3, 3)).toEqual([0, 1, 2]);
    expect(repairRanking([2, 1, 0], 3, 1)).toEqual([2]);
    const input = rerank.input.parse({ query: "q", documents: ["a", "b", "c", "d"], top_k: 3 });
    const answer = rerank.parse(completionWith({ content: JSON.stringify({ ranking: [2, 2, 7] }) }), input);
    expect(answer).toEqual({
      ranking: [2, 0, 1],
      documents: [
        { index: 2, document: "c" },
        { index: 0, document: "a" },
        { index: 1, document: "b" },
      ],
    });
  });

  it("cuts long documents on a word boundary with a marker, never inside a surrogate pair", () => {
    expect(cutDocument("  short\n\n text  ", 100)).toBe("short text");
    const words = "alpha beta gamma delta epsilon ".repeat(20);
    const cut = cutDocument(words, 50);
    expect(cut.length).toBeLessThanOrEqual(50);
    expect(cut).toMatch(/^alpha beta gamma delta epsilon alpha beta \[…\]$/);
    const unbroken = `a${"😀".repeat(40)}`;
    const emoji = cutDocument(unbroken, 20);
    expect(emoji.length).toBeLessThanOrEqual(20);
    expect(emoji.endsWith("😀 […]")).toBe(true);
  });

  it("keeps the prompt bounded, asks for exactly top_k in-range indices, and puts the query last", () => {
    const huge = Array.from({ length: 100 }, (_, i) => `document ${i} `.repeat(5000));
    const request = rerank.request(rerank.input.parse({ query: "the query", documents: huge, top_k: 10 }));
    const user = String(request.messages.at(-1)?.content);
    expect(user.length).toBeLessThan(65_000);
    expect(user.endsWith("Query: the query")).toBe(true);
    expect(user).toContain("[99] document 99");
    expect(request.response_format).toMatchObject({
      json_schema: { strict: true, schema: { properties: { ranking: { items: { minimum: 0, maximum: 99 }, minItems: 10, maxItems: 10 } } } },
    });
    const other = rerank.request(rerank.input.parse({ query: "another", documents: ["x", "y"] }));
    expect(other.messages[0]).toEqual(request.messages[0]);
  });

  it("answers 400 naming the field for bad input, and records nothing", async () => {
    const { key, id: keyId } = await createKey();
    await expectRejected("/v1/rerank", key, keyId, [
      [{ documents }, "query"],
      [{ query: "q" }, "documents"],
      [{ query: "q", documents: [] }, "documents"],
      [{ query: "q", documents: Array.from({ length: 101 }, () => "d") }, "documents"],
      [{ query: "q", documents: ["ok", 7] }, "documents.1"],
      [{ query: "q", documents: ["ok", "lone \udc00"] }, "documents.1"],
      [{ query: "q", documents, top_k: 0 }, "top_k"],
      [{ query: "q", documents, top_k: 1.5 }, "top_k"],
    ]);
  });
});
