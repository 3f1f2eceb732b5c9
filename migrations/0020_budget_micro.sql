-- Budgets move from pico-USD to micro-USD, their own unit (a budget has at most six decimals).
-- In pico-USD a budget past $9007 is above 2^53, which D1 hands to JavaScript as a rounded double
-- ($999,999.999999 read back as 999999.999999000064); in micro-USD any budget up to $10^6 is a
-- whole number below 10^12, exact everywhere. Rounding to the nearest micro-dollar also repairs a
-- budget that was stored rounded (by at most a few hundred pico-USD).
ALTER TABLE `api_keys` RENAME COLUMN "daily_budget_pico" TO "daily_budget_micro";--> statement-breakpoint
ALTER TABLE `api_keys` RENAME COLUMN "monthly_budget_pico" TO "monthly_budget_micro";--> statement-breakpoint
UPDATE `api_keys` SET `daily_budget_micro` = (`daily_budget_micro` + 500000) / 1000000, `monthly_budget_micro` = (`monthly_budget_micro` + 500000) / 1000000;
