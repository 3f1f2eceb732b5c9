import { describe, expect, it } from "vitest";
import { tool } from "../workers/tasks/tool";
import { completionWith, expectMeteredAnswer, expectOneLedgerRow, expectRejected } from "./support/tasks";
import { call, createKey, json } from "./support/worker";

const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "current weather for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
      required: ["city", "unit"],
      additionalProperties: false,
    },
  },
};
const ticket = {
  type: "function",
  function: {
    name: "open_ticket",
    description: "open a support ticket",
    parameters: { type: "object", properties: { order: { type: "string", pattern: "^ORD-[0-9]{4}$" } }, required: ["order"] },
  },
};
const functionCall = (id: string, name: string, args: string) => ({ id, type: "function" as const, function: { name, arguments: args } });

describe("POST /v1/tool", () => {
  it("answers the model's tool call with parsed, checked arguments, metered exactly in one ledger row", async () => {
    const { key, id: keyId } = await createKey();
    const res = await call("/v1/tool", { token: key, body: { task: "What is the weather in Lisbon?", tools: [ticket, weather] } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.content).toBeNull();
    expect(body.tool_calls).toHaveLength(1);
    const [toolCall] = body.tool_calls;
    expect(toolCall).toMatchObject({ name: "get_weather", valid: true, error: null });
    expect(toolCall.id).toMatch(/^call_/);
    expect(typeof toolCall.arguments.city).toBe("string");
    expect(["celsius", "fahrenheit"]).toContain(toolCall.arguments.unit);
    expectMeteredAnswer(res, body);
    await expectOneLedgerRow(key, keyId, "tool", body);
  });

  it("flags a call whose arguments break the tool's schema instead of hiding it", async () => {
    const { key } = await createKey();
    // The simulator does not honour `pattern`, so its order number cannot match.
    const messages = [{ role: "user", content: "Open a ticket for my order" }];
    const res = await call("/v1/tool", { token: key, body: { messages, tools: [weather, ticket], tool_choice: { type: "function", function: { name: "open_ticket" } } } });
    expect(res.status).toBe(200);
    const [toolCall] = (await json(res)).tool_calls;
    expect(toolCall.name).toBe("open_ticket");
    expect(typeof toolCall.arguments.order).toBe("string");
    expect(toolCall.valid).toBe(false);
    expect(toolCall.error).toContain("/order");
  });

  it("answers text and no tool calls when tool_choice is none", async () => {
    const { key } = await createKey();
    const body = await json(await call("/v1/tool", { token: key, body: { task: "weather in Lisbon", tools: [weather], tool_choice: "none" } }));
    expect(typeof body.content).toBe("string");
    expect(body.tool_calls).toEqual([]);
  });

  it("parses each call: non-JSON arguments kept raw and flagged, unknown tools flagged, valid ones passed", () => {
    const input = tool.input.parse({ task: "x", tools: [weather, { type: "function", function: { name: "ping" } }] });
    const answer = tool.parse(
      completionWith({
        content: "Checking.",
        tool_calls: [
          functionCall("call_1", "get_weather", '{"city": "Oslo", "unit": "celsius"}'),
          functionCall("call_2", "get_weather", '{"city": "Oslo", "unit": "kelvin"}'),
          functionCall("call_3", "get_weather", '{"city": "Oslo"'),
          functionCall("call_4", "launch", "{}"),
          functionCall("call_5", "ping", '{"any": 1}'),
        ],
      }),
      input,
    );
    expect(answer.content).toBe("Checking.");
    expect(answer.tool_calls[0]).toEqual({ id: "call_1", name: "get_weather", arguments: { city: "Oslo", unit: "celsius" }, valid: true, error: null });
    expect(answer.tool_calls[1]).toMatchObject({ arguments: { city: "Oslo", unit: "kelvin" }, valid: false });
    expect(answer.tool_calls[1]?.error).toContain("/unit");
    expect(answer.tool_calls[2]).toEqual({ id: "call_3", name: "get_weather", arguments: '{"city": "Oslo"', valid: false, error: "the arguments are not valid JSON" });
    expect(answer.tool_calls[3]).toMatchObject({ name: "launch", valid: false, error: "the model called launch, which is not among the tools" });
    expect(answer.tool_calls[4]).toMatchObject({ name: "ping", arguments: { any: 1 }, valid: true, error: null });
  });

  it("sends the tools in the caller's order, a task under a fixed system message, messages as given", () => {
    const fromTask = tool.request(tool.input.parse({ task: "do it", tools: [weather, ticket], tool_choice: "required" }));
    expect(fromTask.tools?.map((t) => (t.type === "function" ? t.function.name : ""))).toEqual(["get_weather", "open_ticket"]);
    expect(fromTask.tool_choice).toBe("required");
    expect(fromTask.messages).toHaveLength(2);
    expect(fromTask.messages[0]?.role).toBe("system");
    expect(fromTask.messages[1]).toEqual({ role: "user", content: "do it" });
    const other = tool.request(tool.input.parse({ task: "another", tools: [weather, ticket] }));
    expect(other.messages[0]).toEqual(fromTask.messages[0]);
    const messages = [
      { role: "developer", content: "be brief" },
      { role: "user", content: "hi" },
      { role: "assistant", content: null, tool_calls: [functionCall("call_9", "get_weather", "{}")] },
      { role: "tool", tool_call_id: "call_9", content: "sunny" },
    ];
    expect(tool.request(tool.input.parse({ messages, tools: [weather] })).messages).toEqual(messages);
  });

  it("answers 400 naming the field for bad input, and records nothing", async () => {
    const { key, id: keyId } = await createKey();
    await expectRejected("/v1/tool", key, keyId, [
      [{ tools: [weather] }, "messages"],
      [{ task: "x", messages: [{ role: "user", content: "x" }], tools: [weather] }, "task"],
      [{ task: "x" }, "tools"],
      [{ task: "\ud800", tools: [weather] }, "task"],
      [{ task: "x", tools: [] }, "tools"],
      [{ task: "x", tools: [weather, weather] }, "tools"],
      [{ task: "x", tools: [{ type: "function", function: { name: "bad name" } }] }, "tools.0.function.name"],
      [{ task: "x", tools: [{ type: "custom", custom: { name: "x" } }] }, "tools.0.type"],
      [{ task: "x", tools: [weather], tool_choice: { type: "function", function: { name: "nope" } } }, "tool_choice"],
      [{ task: "x", tools: [weather], tool_choice: "sometimes" }, "tool_choice"],
      [{ messages: [{ role: "robot", content: "x" }], tools: [weather] }, "messages.0.role"],
      [{ messages: [], tools: [weather] }, "messages"],
    ]);
  });
});
