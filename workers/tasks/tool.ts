import { sameJson } from "./agreement";
import type { ChatCompletionMessageParam, ChatCompletionMessageToolCall } from "openai/resources/chat/completions";
import { z } from "zod";
import { answerMessage } from "./answer";
import { schemaViolation } from "./json-schema";
import { schemaPatternProblem } from "./schema-patterns";
import { callerText, defineTask, jsonValue, taskFields } from "./task";

// Messages and tools go upstream as the caller wrote them; only what nanometer reads is checked.
const message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).nullable().optional(),
});

const functionTool = z.object({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a tool name is 1 to 64 letters, digits, _ or -"),
    description: z.string().max(10_000).optional(),
    parameters: z
      .record(z.string(), z.unknown())
      .superRefine((parameters, ctx) => {
        // The arguments are checked against them, so each pattern must be one RE2 runs.
        const problem = schemaPatternProblem(parameters);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
  }),
});

const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
]);

const input = z
  .strictObject({
    ...taskFields,
    messages: z.array(message).min(1).max(1000).optional(),
    task: callerText().min(1).max(100_000).optional(),
    tools: z
      .array(functionTool)
      .min(1)
      .max(128)
      .refine((tools) => new Set(tools.map((t) => t.function.name)).size === tools.length, "tool names must be unique"),
    tool_choice: toolChoice.optional(),
  })
  .superRefine((i, ctx) => {
    if (i.messages === undefined && i.task === undefined) ctx.addIssue({ code: "custom", path: ["messages"], message: "give messages, or a task" });
    if (i.messages !== undefined && i.task !== undefined) ctx.addIssue({ code: "custom", path: ["task"], message: "give messages or a task, not both" });
    const chosen = typeof i.tool_choice === "object" ? i.tool_choice.function.name : undefined;
    if (chosen !== undefined && !i.tools.some((t) => t.function.name === chosen)) {
      ctx.addIssue({ code: "custom", path: ["tool_choice"], message: `tool_choice names ${chosen}, which is not among the tools` });
    }
  })
  .meta({
    example: {
      task: "What's the weather in Lisbon tomorrow?",
      tools: [
        {
          type: "function",
          function: {
            name: "get_forecast",
            description: "The weather forecast of a city for a day",
            parameters: { type: "object", properties: { city: { type: "string" }, day: { type: "string", description: "YYYY-MM-DD" } }, required: ["city"] },
          },
        },
      ],
    },
  });

type Input = z.infer<typeof input>;

const TASK_INSTRUCTIONS = `You do the user's task with the given tools.
Call a tool when it helps, with arguments that follow its parameters schema exactly; answer in plain text when no tool fits.`;

const checkedToolCall = z.strictObject({
  id: z.string(),
  name: z.string(),
  arguments: jsonValue.meta({ description: "The parsed arguments, or the raw string when they are not JSON" }),
  valid: z.boolean().meta({ description: "Whether the arguments are JSON that fits the tool's parameters schema" }),
  error: z.string().nullable(),
});
export type CheckedToolCall = z.infer<typeof checkedToolCall>;

const output = z.strictObject({
  content: z.string().nullable().meta({ description: "The model's text, when it answered in text" }),
  tool_calls: z.array(checkedToolCall),
});

/** One tool call, its arguments parsed and checked: a bad call is flagged for the caller, not hidden. */
export function checkToolCall(call: ChatCompletionMessageToolCall, tools: Input["tools"]): CheckedToolCall {
  if (call.type !== "function") {
    return { id: call.id, name: call.custom.name, arguments: call.custom.input, valid: false, error: "not a function tool call" };
  }
  const { name, arguments: raw } = call.function;
  const flagged = (args: unknown, error: string) => ({ id: call.id, name, arguments: args, valid: false, error });
  let args: unknown;
  try {
    args = JSON.parse(raw);
  } catch {
    return flagged(raw, "the arguments are not valid JSON");
  }
  const tool = tools.find((t) => t.function.name === name);
  if (!tool) return flagged(args, `the model called ${name}, which is not among the tools`);
  const violation = tool.function.parameters && schemaViolation(args, tool.function.parameters);
  if (violation) return flagged(args, `the arguments break the tool's parameters schema ${violation}`);
  return { id: call.id, name, arguments: args, valid: true, error: null };
}

export const tool = defineTask({
  endpoint: "tool",
  summary: "Asks for tool calls with your function tools; arguments come back parsed and checked against each tool's parameters",
  input,
  output,
  request(i) {
    // Tools stay in the caller's order (it can matter to them); nanometer adds nothing variable before them.
    const messages: ChatCompletionMessageParam[] = i.task
      ? [
          { role: "system", content: TASK_INSTRUCTIONS },
          { role: "user", content: i.task },
        ]
      : (i.messages as ChatCompletionMessageParam[]);
    // The cap bounds what a budget reserves (reasoning included): room for a few calls' arguments.
    return { messages, tools: i.tools, ...(i.tool_choice ? { tool_choice: i.tool_choice } : {}), max_completion_tokens: 4096 };
  },
  parse(completion, i) {
    const answer = answerMessage(completion);
    return { content: answer.content ?? null, tool_calls: (answer.tool_calls ?? []).map((call) => checkToolCall(call, i.tools)) };
  },
  usable: (o) => o.tool_calls.every((call) => call.valid),
  agree: (nano, mini) =>
    sameJson(
      nano.tool_calls.map((c) => [c.name, c.arguments]),
      mini.tool_calls.map((c) => [c.name, c.arguments]),
    ),
});
