import { and, eq, like } from "drizzle-orm";
import type { Db } from "../db/client";
import { joinMoney, moneySum } from "../db/money";
import { keySpend } from "../db/schema";
import type { Period } from "./reservations";

/**
 * What a key has spent in a UTC day (YYYY-MM-DD) or month (YYYY-MM), in pico-USD, from
 * `key_spend`: the ledger's sums per key × day, kept by a trigger on every ledger insert.
 */
export async function spentIn(db: Db, keyId: string, period: Period, value: string): Promise<bigint> {
  const [row] = await db
    .select(moneySum(keySpend.costPico, "spent"))
    .from(keySpend)
    .where(and(eq(keySpend.keyId, keyId), period === "day" ? eq(keySpend.day, value) : like(keySpend.day, `${value}-%`)));
  return row ? joinMoney(row, "spent") : 0n;
}
