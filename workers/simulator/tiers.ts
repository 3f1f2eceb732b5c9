/**
 * Service tiers as OpenAI reports them: the answer's `service_tier` is the tier that served the
 * request. `fast` is served (and reported) as `priority`, `auto` (and no tier) as `default`.
 * A caller can make the simulator report another tier, to exercise a gateway's handling of it.
 */
import { directiveTier } from './faults';

export const REQUEST_TIERS = ['auto', 'default', 'flex', 'scale', 'priority', 'fast'] as const;

const SERVED_AS: Readonly<Record<string, string>> = { auto: 'default', fast: 'priority' };

/** The tier to report: header `x-sim-service-tier`, else a `[[sim:tier=...]]` directive, else the one asked for. */
export function reportedTier(requested: string | undefined, headers: Headers, texts: readonly string[]): string {
  const forced = headers.get('x-sim-service-tier') || directiveTier(texts);
  if (forced) return forced;
  const asked = requested ?? 'auto';
  return SERVED_AS[asked] ?? asked;
}
