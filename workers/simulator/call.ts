/**
 * The answer to a model call, whatever its wire format (Chat Completions, Responses): the call is
 * read as a chat request with its prompt token sequence; its cached tokens are looked up, it is
 * completed with the knobs of its headers and directives, and its prompt is stored in the cache.
 */
import { cacheScope, cacheWriteTokens, type PromptCache } from './cache';
import { complete } from './complete';
import { directiveFailRate } from './faults';
import { hashString, unitFloat } from './hash';
import type { SimulatorOptions } from './options';
import { headerNumber } from './request';
import { reportedTier } from './tiers';
import type { Answer, ChatRequest } from './types';

export type Call = {
  chat: ChatRequest;
  /** The prompt token sequence: its length is the input tokens; its prefixes are what the cache matches. */
  tokens: number[];
  /** Message texts, where directives are read. */
  texts: string[];
  /** The raw body, which seeds the fail rate. */
  raw: string;
  headers: Headers;
};

export function answerCall(options: SimulatorOptions, cache: PromptCache, { chat, tokens, texts, raw, headers }: Call): Answer {
  const failRate = headerNumber(headers, 'x-sim-fail-rate', directiveFailRate(texts, chat.model) ?? options.failRate[chat.model] ?? 0);
  const scope = cacheScope(chat.model, chat.prompt_cache_key);
  const cachedTokens = cache.lookup(scope, tokens);
  const answer = complete(chat, {
    promptTokens: tokens.length,
    cachedTokens,
    cacheWriteTokens: cacheWriteTokens(tokens.length, cachedTokens),
    serviceTier: reportedTier(chat.service_tier, headers, texts),
    verbosity: options.profiles[chat.model]?.verbosity ?? 1,
    invalidJson: unitFloat(hashString(raw), 'fail-rate') < failRate,
  });
  cache.store(scope, tokens);
  return answer;
}
