/**
 * A batch's `usage`: the sum of its answered lines' usage. A line's answer reports usage the way
 * its endpoint does (Chat Completions: prompt/completion tokens; Responses: input/output
 * tokens), so both names are read; the runner itself knows no endpoint.
 */

export type BatchUsage = {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
};

type AnswerUsage = Partial<{
  input_tokens: number;
  prompt_tokens: number;
  output_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  input_tokens_details: { cached_tokens?: number };
  prompt_tokens_details: { cached_tokens?: number };
  output_tokens_details: { reasoning_tokens?: number };
  completion_tokens_details: { reasoning_tokens?: number };
}>;

export function emptyUsage(): BatchUsage {
  return { input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 };
}

/** `total` plus the usage in an answer's body (nothing when the body has none). */
export function addUsage(total: BatchUsage, body: unknown): BatchUsage {
  const usage = (typeof body === 'object' && body !== null ? (body as { usage?: AnswerUsage }).usage : undefined) ?? {};
  const input = usage.input_tokens ?? usage.prompt_tokens ?? 0;
  const output = usage.output_tokens ?? usage.completion_tokens ?? 0;
  return {
    input_tokens: total.input_tokens + input,
    input_tokens_details: {
      cached_tokens: total.input_tokens_details.cached_tokens + ((usage.input_tokens_details ?? usage.prompt_tokens_details)?.cached_tokens ?? 0),
    },
    output_tokens: total.output_tokens + output,
    output_tokens_details: {
      reasoning_tokens: total.output_tokens_details.reasoning_tokens + ((usage.output_tokens_details ?? usage.completion_tokens_details)?.reasoning_tokens ?? 0),
    },
    total_tokens: total.total_tokens + (usage.total_tokens ?? input + output),
  };
}
