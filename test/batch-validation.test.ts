import { describe, expect, it } from "vitest";
import { chatLine, jsonl, upload } from "./support/batches";
import { openaiClient } from "./support/sdk";
import { call, createKey, json } from "./support/worker";

const nonce = () => crypto.randomUUID();

/** Creates a batch over these lines as the SDK would; the refusal it gets, or null. */
async function refusal(key: string, lines: unknown[], endpoint = "/v1/chat/completions") {
  const { client } = openaiClient(key);
  const file = await upload(client, jsonl(lines));
  const res = await call("/v1/batches", { token: key, body: { input_file_id: file.id, endpoint, completion_window: "24h" } });
  return res.status === 200 ? null : { status: res.status, ...(await json(res)).error };
}

/** A multipart upload of `text` as the Files API takes it, with vars overridden for the call. */
async function uploadRaw(key: string, text: string, purpose = "batch", vars = {}) {
  const form = new FormData();
  form.append("purpose", purpose);
  form.append("file", new File([text], "in.jsonl"));
  const encoded = new Response(form);
  return call("/v1/files", { token: key, body: await encoded.text(), headers: { "content-type": encoded.headers.get("content-type")! }, env: vars });
}

describe("A batch's input file is checked when the batch is created", () => {
  it("answers 400 naming input_file_id and the first line that cannot be metered, and creates nothing", async () => {
    const { key } = await createKey();
    const ok = chatLine("a", `hello ${nonce()}`);
    const cases: [unknown[], RegExp][] = [
      [[ok, "{not json"], /line 2 .* is not a JSON object/],
      [[ok, chatLine("b", "x"), chatLine("a", "again")], /line 3 .* repeats custom_id "a" of line 1/],
      [[ok, { ...chatLine("b", "x"), custom_id: "" }], /line 2 .* has no custom_id/],
      [[{ ...ok, body: { ...ok.body, model: "gpt-9" } }], /line 1 .* gpt-9, which has no batch price/],
      [[ok, { ...chatLine("b", "x"), url: "/v1/embeddings" }], /line 2 .* asks for url "\/v1\/embeddings"/],
      [[ok, { ...chatLine("b", "x"), method: "GET" }], /line 2 .* method other than POST/],
      [[ok, "", { ...chatLine("b", "x"), body: { ...ok.body, model: "gpt-5.4-mini" } }], /line 3 .* a batch runs one model/],
      [[{ custom_id: "x", method: "POST", url: "/v1/chat/completions" }], /line 1 .* no body object/],
      [[""], /has no requests/],
    ];
    for (const [lines, message] of cases) {
      const error = await refusal(key, lines);
      expect(error, JSON.stringify(lines)).toMatchObject({ status: 400, type: "invalid_request", field: "input_file_id", message: expect.stringMatching(message) });
    }
    expect(await refusal(key, [ok], "/v1/embeddings")).toMatchObject({ status: 400, field: "endpoint" });
    expect((await json(await call("/v1/batches", { token: key }))).data).toEqual([]);
  });

  it("a key whose budget cannot hold a batch's largest possible cost gets 402 on its creation, for files and task batches alike", async () => {
    // A line without an output limit reserves 4096 tokens at the batch price: $0.00256, above a $0.002 budget.
    const { key } = await createKey({ daily_budget_usd: 0.002 });
    const error = await refusal(key, [chatLine("a", "hi")]);
    expect(error).toMatchObject({ status: 402, type: "budget_exceeded" });
    const tasks = await call("/v1/batches/tasks", { token: key, body: { endpoint: "summarize", items: [{ custom_id: "a", text: "hi" }] } });
    expect(tasks.status).toBe(402);
    expect(tasks.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("an input file of another key is not found, and the admin token cannot create batches", async () => {
    const [owner, other] = [await createKey(), await createKey()];
    const file = await upload(openaiClient(owner.key).client, jsonl([chatLine("a", "hi")]));
    const res = await call("/v1/batches", { token: other.key, body: { input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" } });
    expect([res.status, (await json(res)).error.field]).toEqual([400, "input_file_id"]);
    const admin = await call("/v1/batches", { body: { input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" } });
    expect(admin.status).toBe(403);
  });
});

describe("Files and task batches have their own body limits", () => {
  it("takes a file larger than MAX_BODY_BYTES, refuses one over MAX_UPLOAD_BYTES with 413, and keeps only batch files", async () => {
    const { key } = await createKey();
    const big = jsonl(Array.from({ length: 6_000 }, (_, i) => chatLine(`l${i}`, `line ${i} ${"word ".repeat(40)}`)));
    expect(big.length).toBeGreaterThan(1 << 20);
    const taken = await uploadRaw(key, big);
    expect(taken.status).toBe(200);
    expect((await json(taken)).bytes).toBe(big.length);
    expect((await uploadRaw(key, big, "batch", { MAX_UPLOAD_BYTES: "100000" })).status).toBe(413);
    const other = await uploadRaw(key, jsonl([chatLine("a", "x")]), "user_data");
    expect([other.status, (await json(other)).error.field]).toEqual([400, "purpose"]);
    expect((await json(await call("/v1/files", { token: key }))).data).toHaveLength(1);
    const tasks = { endpoint: "summarize", items: [{ custom_id: "a", text: "x".repeat(2000) }] };
    expect((await call("/v1/batches/tasks", { token: key, body: tasks, env: { MAX_TASK_BATCH_BYTES: "1000" } })).status).toBe(413);
  });

  it("checks every task item with its task's own input schema, naming items.<i>.<field>", async () => {
    const { key } = await createKey();
    const body = (items: unknown[], endpoint = "summarize") => ({ endpoint, items });
    const cases: [unknown, string][] = [
      [body([{ custom_id: "a", text: "x" }], "translate"), "endpoint"],
      [body([]), "items"],
      [body([{ custom_id: "a", text: "x" }, { custom_id: "b" }]), "items.1.text"],
      [body([{ custom_id: "a", text: "x" }, { custom_id: "b", text: "y", words: 1 }]), "items.1.words"],
      [body([{ custom_id: "a", text: "x", colour: "red" }]), "items.0.colour"],
      [body([{ custom_id: "a", text: "x" }, { custom_id: "a", text: "y" }]), "items.1.custom_id"],
      [body([{ custom_id: "a", text: "x", escalate: "auto" }]), "items.0.escalate"],
      [body([{ custom_id: "a", text: "x", service_tier: "flex" }]), "items.0.service_tier"],
      [body([{ custom_id: "a", text: "x" }, { custom_id: "b", text: "y", model: "gpt-5.4-mini" }]), "items.1.model"],
      [body([{ custom_id: "a", text: "x", model: "gpt-9" }]), "items.0.model"],
      [body([{ custom_id: "a", labels: ["a", "b"] }], "intent"), "items.0.text"],
      [body([{ custom_id: "a", query: "q", documents: [] }], "rerank"), "items.0.documents"],
    ];
    for (const [request, field] of cases) {
      const res = await call("/v1/batches/tasks", { token: key, body: request });
      expect([res.status, (await json(res)).error?.field], JSON.stringify(request)).toEqual([400, field]);
    }
    expect((await json(await call("/v1/batches", { token: key }))).data).toEqual([]);
  });
});
