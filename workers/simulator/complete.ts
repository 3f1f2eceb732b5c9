/** Turns a validated request into an Answer: draft, max-token cap and usage. */
import { draftAnswer } from './answers';
import { countTokens, reasoningTokens, truncateToTokens } from './tokens';
import type { Answer, ChatRequest, FinishReason, Usage } from './types';

export type CompletionContext = {
  promptTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  serviceTier: string;
  verbosity: number;
  invalidJson: boolean;
};

function usage(context: CompletionContext, outputTokens: number, reasoning: number): Usage {
  const completion = outputTokens + reasoning;
  return {
    prompt_tokens: context.promptTokens,
    completion_tokens: completion,
    total_tokens: context.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: context.cachedTokens, cache_write_tokens: context.cacheWriteTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/**
 * Reasoning tokens come first and count against max_completion_tokens (or max_tokens); the
 * visible output (content or tool-call arguments) is cut to what is left, with finish_reason
 * "length" when cut.
 */
export function complete(request: ChatRequest, context: CompletionContext): Answer {
  const draft = draftAnswer(request, { verbosity: context.verbosity, invalidJson: context.invalidJson });
  const limit = request.max_completion_tokens ?? request.max_tokens ?? Infinity;
  // A more verbose model also thinks at more length.
  const reasoning = Math.min(Math.round(reasoningTokens(request.reasoning_effort) * context.verbosity), limit);
  const budget = limit - reasoning;
  let output = draft.toolCall ? draft.toolCall.function.arguments : (draft.content ?? '');
  let finishReason: FinishReason = draft.toolCall ? 'tool_calls' : 'stop';
  if (countTokens(output) > budget) {
    output = truncateToTokens(output, budget);
    finishReason = 'length';
  }
  const toolCall = draft.toolCall && { ...draft.toolCall, function: { ...draft.toolCall.function, arguments: output } };
  return {
    content: toolCall ? null : output,
    toolCall,
    finishReason,
    usage: usage(context, countTokens(output), reasoning),
    serviceTier: context.serviceTier,
  };
}
