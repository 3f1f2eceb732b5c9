/** Simulator options and their defaults. */

export type ModelProfile = {
  /** Multiplies the length of plain text answers. */
  verbosity: number;
};

export type SimulatorOptions = {
  /** Delay before the answer or the first stream chunk (header `x-sim-latency-ms`). */
  latencyMs: number;
  /** Output pacing; 0 = instant (header `x-sim-tokens-per-second`). */
  tokensPerSecond: number;
  /** Prompt cache entry lifetime. */
  cacheTtlMs: number;
  /** Prompt cache size bound; the oldest entries are evicted first. */
  cacheMaxEntries: number;
  /** Clock in epoch milliseconds, injectable so tests can advance time. */
  now: () => number;
  /** Per-model answer profile; models not listed use verbosity 1. */
  profiles: Record<string, ModelProfile>;
  /** Per-model probability (0..1) that a json_schema answer is invalid (header `x-sim-fail-rate`). */
  failRate: Record<string, number>;
  /** Models listed by GET /v1/models (any model name is accepted by completions). */
  models: string[];
  /** Batch API: wait between a batch starting and its lines being answered (metadata `sim_completion_ms`). */
  batchCompletionMs: number;
  /** How long a `background` response takes to complete (header `x-sim-background-ms`). */
  backgroundMs: number;
  /** Stored responses bound; the oldest are evicted first. */
  responsesMaxEntries: number;
};

export const DEFAULT_OPTIONS: SimulatorOptions = {
  latencyMs: 0,
  tokensPerSecond: 0,
  cacheTtlMs: 5 * 60 * 1000,
  cacheMaxEntries: 100_000,
  now: () => Date.now(),
  profiles: { 'gpt-5.4-nano': { verbosity: 1 }, 'gpt-5.4-mini': { verbosity: 1.6 } },
  failRate: {},
  models: ['gpt-5.4-nano', 'gpt-5.4-mini'],
  batchCompletionMs: 20,
  backgroundMs: 1000,
  responsesMaxEntries: 10_000,
};

export function resolveOptions(overrides: Partial<SimulatorOptions> = {}): SimulatorOptions {
  return {
    ...DEFAULT_OPTIONS,
    ...overrides,
    profiles: { ...DEFAULT_OPTIONS.profiles, ...overrides.profiles },
  };
}
