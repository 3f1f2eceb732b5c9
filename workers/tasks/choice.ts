import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { jsonSchemaFormat } from "./answer";

/** One of the named options a classifier picks from: intent's labels, route's routes. */
export interface Choice {
  name: string;
  description?: string | undefined;
}

/** Choices sorted by name, so the same set in any order is the same prompt prefix. */
export function canonical<C extends Choice>(choices: readonly C[]): C[] {
  return [...choices].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A classifier's upstream request: its fixed instructions and the choice list first, the
 * caller's text last; a strict JSON answer with the choice (`field`, an enum of the names), a
 * `confidence`, and the task's own `extra` properties.
 */
export function choiceRequest(o: {
  name: string;
  instructions: string;
  heading: string;
  choices: readonly Choice[];
  field: string;
  extra: Record<string, unknown>;
  text: string;
}): Omit<ChatCompletionCreateParamsNonStreaming, "model"> {
  const list = o.choices.map((c) => (c.description ? `- ${c.name}: ${c.description}` : `- ${c.name}`)).join("\n");
  const schema = {
    type: "object",
    properties: {
      [o.field]: { type: "string", enum: o.choices.map((c) => c.name) },
      confidence: { type: "number", minimum: 0, maximum: 1 },
      ...o.extra,
    },
    required: [o.field, "confidence", ...Object.keys(o.extra)],
    additionalProperties: false,
  };
  return {
    messages: [
      { role: "system", content: `${o.instructions}\n\n${o.heading}:\n${list}` },
      { role: "user", content: o.text },
    ],
    response_format: jsonSchemaFormat(o.name, schema),
    // Picking from a list needs little thought, and reasoning tokens are billed as output.
    reasoning_effort: "low",
    // The answer is a few dozen tokens; the cap bounds what a budget reserves (reasoning included).
    max_completion_tokens: 1024,
  };
}
