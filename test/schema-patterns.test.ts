import { describe, expect, it } from "vitest";
import { extract } from "../workers/tasks/extract";
import { checkToolCall } from "../workers/tasks/tool";
import { completionWith, thrownBy } from "./support/tasks";
import { call, createKey, json } from "./support/worker";

/** Nested quantifiers: a backtracking engine tries 2^n ways to split n "a" before it fails on the "!". */
const NESTED = "^(a+)+$";
// A backtracking engine needs minutes for this one (doubling per "a"); RE2 reads it once.
const HOSTILE = `${"a".repeat(34)}!`;
const FITTING = "a".repeat(34);

const codeSchema = (pattern: string) => ({ type: "object", properties: { code: { type: "string", pattern } }, required: ["code"] });
const toolWith = (parameters: Record<string, unknown>) => ({ type: "function" as const, function: { name: "file_code", parameters } });
const argsCall = (args: object) => ({ id: "call_1", type: "function" as const, function: { name: "file_code", arguments: JSON.stringify(args) } });

describe("pattern checks on the model's answer run in linear time (RE2)", () => {
  it("an extract answer against ^(a+)+$: the check completes, 422 for 34 a and a !, the data for 34 a", () => {
    const input = extract.input.parse({ text: "x", schema: codeSchema(NESTED) });
    const answer = (code: string) => () => extract.parse(completionWith({ content: JSON.stringify({ code }) }), input);
    const refused = thrownBy(answer(HOSTILE));
    expect(refused).toMatchObject({ status: 422, type: "invalid_output" });
    expect(refused.message).toContain("at /code: String does not match pattern ^(a+)+$");
    expect(answer(FITTING)()).toEqual({ data: { code: FITTING } });
  });

  it("tool arguments: pattern, propertyNames and patternProperties checked by RE2, with their meaning kept", () => {
    const parameters = {
      type: "object",
      properties: {
        code: { type: "string", pattern: NESTED },
        id: { type: "string", pattern: "^[0-9a-f-]+$", format: "uuid" },
        "x-b": { type: "string" },
      },
      patternProperties: { [NESTED]: { type: "integer" }, "^x-": { type: "string", minLength: 2 } },
      propertyNames: { pattern: "^(a+)+$|^code$|^id$|^x-" },
      additionalProperties: false,
    };
    const tools = [toolWith(parameters)];
    const check = (args: object) => checkToolCall(argsCall(args), tools);
    const uuid = "0b7e5c9a-3f1d-4c2e-9a8b-7d6e5f4c3b2a";
    expect(check({ code: HOSTILE }).error).toContain("/code: String does not match pattern ^(a+)+$.");
    expect(check({ code: FITTING, id: uuid }).valid).toBe(true);
    // A pattern beside a format: both hold.
    expect(check({ id: "abc" }).error).toContain('/id: String does not match format "uuid".');
    expect(check({ id: uuid.toUpperCase() }).error).toContain("/id: String does not match pattern ^[0-9a-f-]+$.");
    // patternProperties: each key that matches gets the schema, and is not "additional".
    expect(check({ [FITTING]: 1, "x-a": "ok" }).valid).toBe(true);
    expect(check({ [FITTING]: "one" }).error).toContain(`/${FITTING}: Instance type "string" is invalid`);
    // Both properties and a matching patternProperties apply to "x-b".
    expect(check({ "x-b": "k" }).error).toContain("/x-b: String is too short");
    // propertyNames' pattern refuses the key; no patternProperties or properties takes it either.
    expect(check({ [HOSTILE]: 1 }).valid).toBe(false);
  });
});

describe("format checks on the model's answer run in linear time", () => {
  it('tool arguments with format "url": a hostile host fails at once, a URL passes, private and spaced ones fail', () => {
    const tools = [toolWith({ type: "object", properties: { link: { type: "string", format: "url" } }, required: ["link"] })];
    const check = (link: string) => checkToolCall(argsCall({ link }), tools);
    // The validator's own url regex backtracks 2^n ways over "(?:[a-z0-9]+-?)*[a-z0-9]+": 30 letters take seconds, 40 hours.
    const started = Date.now();
    expect(check(`http://${"a".repeat(30)}!`).error).toContain('/link: String does not match format "url".');
    expect(Date.now() - started).toBeLessThan(1000);
    for (const good of ["https://example.com/a?b=c", "http://user:pw@sub.example.org:8080/x", "ftp://files.example.net", "http://8.8.8.8/", "https://пример.рф/"]) {
      expect(check(good).valid, good).toBe(true);
    }
    for (const bad of ["example.com", "mailto:a@example.com", "http://localhost/", "http://10.0.0.1/", "http://192.168.1.1", "http://exa mple.com", "http://"]) {
      expect(check(bad).valid, bad).toBe(false);
    }
  });
});

describe("a pattern RE2 cannot run (backreferences, lookaround) is a 400 at request time", () => {
  it("naming `schema` on /v1/extract and the tool's parameters on /v1/tool, with where and why", async () => {
    const { key } = await createKey();
    for (const pattern of ["^(a)\\1$", "^(?=a)a$", "(?<!x)y"]) {
      const extracted = await call("/v1/extract", { token: key, body: { text: "x", schema: codeSchema(pattern) } });
      expect(extracted.status, pattern).toBe(400);
      const err = (await json(extracted)).error;
      expect(err.field).toBe("schema");
      expect(err.message).toContain(`at #/properties/code: pattern ${JSON.stringify(pattern)} is not a valid regular expression for RE2`);

      const tooled = await call("/v1/tool", { token: key, body: { task: "x", tools: [toolWith({ type: "object", patternProperties: { [pattern]: {} } })] } });
      expect(tooled.status, pattern).toBe(400);
      const toolErr = (await json(tooled)).error;
      expect(toolErr.field).toBe("tools.0.function.parameters");
      expect(toolErr.message).toContain(`at #/patternProperties: pattern ${JSON.stringify(pattern)} is not a valid regular expression for RE2`);
    }
    // A tool schema nested past any stack is still an answer, not a crash.
    const deep = `${'{"items":'.repeat(100_000)}{"type":"string","pattern":"(a)\\\\1"}${"}".repeat(100_000)}`;
    const parameters = `{"type":"object","properties":{"deep":${deep}}}`;
    const body = `{"task":"x","tools":[{"type":"function","function":{"name":"file_code","parameters":${parameters}}}]}`;
    const nested = await call("/v1/tool", { token: key, body });
    expect(nested.status).toBe(400);
    expect((await json(nested)).error.field).toBe("tools.0.function.parameters");
  });
});
