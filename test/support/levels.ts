/** Every column the rollup tables sum (workers/db/schema.ts `rolledMetrics`). */
const SUMMED = [
  "requests", "errors", "input_tokens", "cached_tokens", "output_tokens", "reasoning_tokens", "cache_write_tokens", "cost_pico", "mini_cost_pico",
  "escalations", "shadow_requests", "shadow_cost_pico", "judged", "agreed", "pairs", "pair_nano_cost_pico", "pair_mini_cost_pico", "pair_nano_sq", "pair_mini_sq", "pair_cross",
];

/** The levels the triggers on rollup keep (migrations 0016, 0017), by their group columns. */
const LEVELS = {
  rollup_all: ["day", "endpoint", "model", "service_tier"],
  rollup_all_tiers: ["key_id", "day", "endpoint", "model"],
};

/**
 * Each level's rows (of one day, or all), and rollup's rows summed into the level's groups: the
 * two are equal when the level follows rollup. A rollup row deleted leaves its level's row at zero
 * (the triggers subtract it) until the daily check remakes the day: `skipZero` leaves those out.
 */
export async function levelsOf(db: D1Database, day?: string, skipZero = false) {
  const onDay = day === undefined ? "" : "WHERE day = ?1";
  const read = async (sql: string) => (await (day === undefined ? db.prepare(sql) : db.prepare(sql).bind(day)).all()).results;
  const levels = Object.entries(LEVELS).map(async ([table, groups]) => {
    const by = groups.join(", ");
    const [kept, summed] = await Promise.all([
      read(`SELECT ${by}, ${SUMMED.join(", ")} FROM ${table} ${onDay} ORDER BY ${by}`),
      read(`SELECT ${by}, ${SUMMED.map((c) => `sum(${c}) AS ${c}`).join(", ")} FROM rollup ${onDay} GROUP BY ${by} ORDER BY ${by}`),
    ]);
    const nonZero = (row: Record<string, unknown>) => SUMMED.some((c) => row[c] !== 0);
    return [table, { kept: skipZero ? kept.filter(nonZero) : kept, summed }] as const;
  });
  return Object.fromEntries(await Promise.all(levels));
}
