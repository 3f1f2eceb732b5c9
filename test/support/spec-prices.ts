/**
 * The SPEC's seeded prices, USD per 1M tokens as SPEC.md writes them (input, cached input,
 * output): the tests' own truth, never read from the gateway's price table.
 */
export const SPEC_PRICES: Record<string, Record<string, [string, string, string]>> = {
  "gpt-5.4-nano": { default: ["0.20", "0.02", "1.25"], flex: ["0.10", "0.01", "0.625"], batch: ["0.10", "0.01", "0.625"] },
  "gpt-5.4-mini": { default: ["0.75", "0.075", "4.50"], flex: ["0.375", "0.0375", "2.25"], batch: ["0.375", "0.0375", "2.25"] },
};

/** USD per 1M tokens written as a decimal → pico-USD per token (× 10^6), exactly, by string. */
export function picoPerToken(usdPer1M: string): bigint {
  const [whole, fraction = ""] = usdPer1M.split(".");
  return BigInt(whole! + fraction.padEnd(6, "0"));
}

export interface TokenCounts {
  input_tokens: number;
  cached_tokens: number;
  cache_write_tokens?: number;
  output_tokens: number;
}

/**
 * The SPEC's formula in pico-USD: (input − cached − write)·in + cached·cached_in + write·write_price
 * + output·out, where write_price is the input price unless one is given.
 */
export function expectedPico(u: TokenCounts, model = "gpt-5.4-nano", tier = "default", writeUsdPer1M?: string): bigint {
  const [input, cached, output] = SPEC_PRICES[model]![tier]!.map(picoPerToken) as [bigint, bigint, bigint];
  const write = u.cache_write_tokens ?? 0;
  const uncached = BigInt(u.input_tokens - u.cached_tokens - write);
  const writePrice = writeUsdPer1M === undefined ? input : picoPerToken(writeUsdPer1M);
  return uncached * input + BigInt(u.cached_tokens) * cached + BigInt(write) * writePrice + BigInt(u.output_tokens) * output;
}

/** pico-USD as the double a JSON answer's USD number parses to. */
export const asUsd = (pico: bigint) => Number(pico) / 1e12;

/** The SPEC formula on a usage or ledger row, as the USD number an answer carries. */
export const expectedUsd = (u: TokenCounts, model = "gpt-5.4-nano", tier = "default") => asUsd(expectedPico(u, model, tier));
