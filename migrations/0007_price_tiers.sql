-- Price tiers and pico-USD. Money moves from integer nano-USD to integer pico-USD (× 1000, exact:
-- every existing amount keeps its value), so that any price given with six decimals in USD per 1M
-- tokens (mini's batch cached input is 37.5 nano-USD per token) is a whole number per token.
-- Prices become model × tier × effective time (epoch ms); ledger and rollup rows gain the tier
-- that served them and the tokens written to the prompt cache.

-- Keys: budgets in pico-USD.
ALTER TABLE `api_keys` RENAME COLUMN `daily_budget_nano` TO `daily_budget_pico`;--> statement-breakpoint
UPDATE `api_keys` SET `daily_budget_pico` = `daily_budget_pico` * 1000;--> statement-breakpoint

-- Prices: every existing row becomes the `default` tier's, effective from its day's UTC midnight.
CREATE TABLE `__new_prices` (
	`model` text NOT NULL,
	`tier` text NOT NULL,
	`effective_from` integer NOT NULL,
	`input_pico` integer NOT NULL,
	`cached_input_pico` integer NOT NULL,
	`output_pico` integer NOT NULL,
	`cache_write_pico` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`model`, `tier`, `effective_from`)
);--> statement-breakpoint
INSERT INTO `__new_prices` (`model`, `tier`, `effective_from`, `input_pico`, `cached_input_pico`, `output_pico`, `cache_write_pico`, `created_at`)
SELECT `model`, 'default', unixepoch(`effective_from`) * 1000, `input_nano` * 1000, `cached_input_nano` * 1000, `output_nano` * 1000, NULL, unixepoch(`effective_from`) * 1000
FROM `prices`;--> statement-breakpoint
DROP TABLE `prices`;--> statement-breakpoint
ALTER TABLE `__new_prices` RENAME TO `prices`;--> statement-breakpoint
-- Flex and Batch at half the standard price (OpenAI's published rates), from the launch day
-- (2026-01-01T00:00:00Z). pico-USD per token = USD per 1M tokens × 10^6.
INSERT INTO `prices` (`model`, `tier`, `effective_from`, `input_pico`, `cached_input_pico`, `output_pico`, `cache_write_pico`, `created_at`) VALUES
  ('gpt-5.4-nano', 'flex',  1767225600000, 100000,  10000,  625000, NULL, 1767225600000),
  ('gpt-5.4-nano', 'batch', 1767225600000, 100000,  10000,  625000, NULL, 1767225600000),
  ('gpt-5.4-mini', 'flex',  1767225600000, 375000,  37500, 2250000, NULL, 1767225600000),
  ('gpt-5.4-mini', 'batch', 1767225600000, 375000,  37500, 2250000, NULL, 1767225600000)
ON CONFLICT DO NOTHING;--> statement-breakpoint

-- The ledger: pico-USD, the tier, cache writes. The budget trigger is rebuilt on the new column.
DROP TRIGGER IF EXISTS `ledger_key_spend`;--> statement-breakpoint
ALTER TABLE `ledger` RENAME COLUMN `cost_nano` TO `cost_pico`;--> statement-breakpoint
ALTER TABLE `ledger` RENAME COLUMN `mini_cost_nano` TO `mini_cost_pico`;--> statement-breakpoint
ALTER TABLE `ledger` RENAME COLUMN `pair_cost_nano` TO `pair_cost_pico`;--> statement-breakpoint
UPDATE `ledger` SET `cost_pico` = `cost_pico` * 1000, `mini_cost_pico` = `mini_cost_pico` * 1000, `pair_cost_pico` = `pair_cost_pico` * 1000;--> statement-breakpoint
ALTER TABLE `ledger` ADD `service_tier` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE `ledger` ADD `cache_write_tokens` integer DEFAULT 0 NOT NULL;--> statement-breakpoint

-- Each key's spend per day, in pico-USD.
ALTER TABLE `key_spend` RENAME COLUMN `cost_nano` TO `cost_pico`;--> statement-breakpoint
UPDATE `key_spend` SET `cost_pico` = `cost_pico` * 1000;--> statement-breakpoint
CREATE TRIGGER `ledger_key_spend` AFTER INSERT ON `ledger`
WHEN NEW.`cost_pico` <> 0
BEGIN
  INSERT INTO `key_spend` (`key_id`, `day`, `cost_pico`)
  VALUES (NEW.`key_id`, strftime('%Y-%m-%d', NEW.`time` / 1000, 'unixepoch'), NEW.`cost_pico`)
  ON CONFLICT (`key_id`, `day`) DO UPDATE SET `cost_pico` = `cost_pico` + excluded.`cost_pico`;
END;--> statement-breakpoint

-- The rollup gains the tier in its key: rebuilt, every existing group at `default`. Money × 1000;
-- the pair moments are squares and products of money, × 10^6.
CREATE TABLE `__new_rollup` (
	`day` text NOT NULL,
	`key_id` text NOT NULL,
	`endpoint` text NOT NULL,
	`model` text NOT NULL,
	`service_tier` text NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`cached_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`reasoning_tokens` integer NOT NULL,
	`cache_write_tokens` integer DEFAULT 0 NOT NULL,
	`cost_pico` integer NOT NULL,
	`mini_cost_pico` integer NOT NULL,
	`escalations` integer DEFAULT 0 NOT NULL,
	`shadow_requests` integer DEFAULT 0 NOT NULL,
	`shadow_cost_pico` integer DEFAULT 0 NOT NULL,
	`judged` integer DEFAULT 0 NOT NULL,
	`agreed` integer DEFAULT 0 NOT NULL,
	`pairs` integer DEFAULT 0 NOT NULL,
	`pair_nano_cost_pico` integer DEFAULT 0 NOT NULL,
	`pair_mini_cost_pico` integer DEFAULT 0 NOT NULL,
	`pair_nano_sq` real DEFAULT 0 NOT NULL,
	`pair_mini_sq` real DEFAULT 0 NOT NULL,
	`pair_cross` real DEFAULT 0 NOT NULL,
	`prefix_tokens` integer DEFAULT 0 NOT NULL,
	`prefix_missed_tokens` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `key_id`, `endpoint`, `model`, `service_tier`)
);--> statement-breakpoint
INSERT INTO `__new_rollup` (`day`, `key_id`, `endpoint`, `model`, `service_tier`, `requests`, `errors`, `input_tokens`,
  `cached_tokens`, `output_tokens`, `reasoning_tokens`, `cache_write_tokens`, `cost_pico`, `mini_cost_pico`, `escalations`,
  `shadow_requests`, `shadow_cost_pico`, `judged`, `agreed`, `pairs`, `pair_nano_cost_pico`, `pair_mini_cost_pico`,
  `pair_nano_sq`, `pair_mini_sq`, `pair_cross`, `prefix_tokens`, `prefix_missed_tokens`)
SELECT `day`, `key_id`, `endpoint`, `model`, 'default', `requests`, `errors`, `input_tokens`,
  `cached_tokens`, `output_tokens`, `reasoning_tokens`, 0, `cost_nano` * 1000, `mini_cost_nano` * 1000, `escalations`,
  `shadow_requests`, `shadow_cost_nano` * 1000, `judged`, `agreed`, `pairs`, `pair_nano_cost_nano` * 1000, `pair_mini_cost_nano` * 1000,
  `pair_nano_sq` * 1e6, `pair_mini_sq` * 1e6, `pair_cross` * 1e6, `prefix_tokens`, `prefix_missed_tokens`
FROM `rollup`;--> statement-breakpoint
DROP TABLE `rollup`;--> statement-breakpoint
ALTER TABLE `__new_rollup` RENAME TO `rollup`;--> statement-breakpoint
CREATE INDEX `rollup_key_day` ON `rollup` (`key_id`,`day`);
