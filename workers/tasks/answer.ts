import type { ChatCompletion } from "openai/resources/chat/completions";
import type { z } from "zod";
import { ApiError } from "../errors";

/** A strict json_schema response_format, the form structured outputs need. */
export function jsonSchemaFormat(name: string, schema: Record<string, unknown>) {
  return { type: "json_schema" as const, json_schema: { name, schema, strict: true } };
}

/** The first choice's message, or a 422 when the model refused or said nothing. */
export function answerMessage(completion: ChatCompletion) {
  const message = completion.choices[0]?.message;
  if (!message) throw new ApiError(502, "upstream_error", "the upstream answered with no choices");
  if (message.refusal) throw new ApiError(422, "refused", `the model refused: ${message.refusal}`);
  return message;
}

/** The model's answer as JSON; 422 when it is not JSON. */
export function jsonAnswer(completion: ChatCompletion): unknown {
  const content = answerMessage(completion).content;
  try {
    return JSON.parse(content ?? "");
  } catch {
    throw new ApiError(422, "invalid_output", "the model's answer is not valid JSON");
  }
}

/** The model's JSON answer checked against `schema`; 422 when it is not JSON or does not fit. */
export function parseJsonAnswer<S extends z.ZodType>(completion: ChatCompletion, schema: S): z.infer<S> {
  const result = schema.safeParse(jsonAnswer(completion));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ApiError(422, "invalid_output", `the model's answer failed its schema at ${issue?.path.join(".") || "the root"}: ${issue?.message}`);
  }
  return result.data;
}
