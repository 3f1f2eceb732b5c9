-- One key's rollup rows of a day summed over their service tiers (workers/db/schema.ts), kept by
-- triggers on rollup as rollup_all is (migration 0016). WITHOUT ROWID added by hand: Drizzle cannot
-- say it, and a drizzle-kit rebuild of this table would drop it.
CREATE TABLE `rollup_all_tiers` (
	`day` text NOT NULL,
	`key_id` text NOT NULL,
	`endpoint` text NOT NULL,
	`model` text NOT NULL,
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
	PRIMARY KEY(`key_id`, `day`, `endpoint`, `model`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `rollup_all_tiers_day` ON `rollup_all_tiers` (`day`);--> statement-breakpoint

-- rollup_all_tiers follows every change of rollup (its triggers on the ledger, the daily check's repairs).
CREATE TRIGGER `rollup_all_tiers_insert` AFTER INSERT ON `rollup`
BEGIN
  INSERT INTO `rollup_all_tiers` (`day`, `key_id`, `endpoint`, `model`, `requests`, `errors`, `input_tokens`, `cached_tokens`, `output_tokens`, `reasoning_tokens`, `cache_write_tokens`, `cost_pico`, `mini_cost_pico`, `escalations`, `shadow_requests`, `shadow_cost_pico`, `judged`, `agreed`, `pairs`, `pair_nano_cost_pico`, `pair_mini_cost_pico`, `pair_nano_sq`, `pair_mini_sq`, `pair_cross`) VALUES (NEW.`day`, NEW.`key_id`, NEW.`endpoint`, NEW.`model`, NEW.`requests`, NEW.`errors`, NEW.`input_tokens`, NEW.`cached_tokens`, NEW.`output_tokens`, NEW.`reasoning_tokens`, NEW.`cache_write_tokens`, NEW.`cost_pico`, NEW.`mini_cost_pico`, NEW.`escalations`, NEW.`shadow_requests`, NEW.`shadow_cost_pico`, NEW.`judged`, NEW.`agreed`, NEW.`pairs`, NEW.`pair_nano_cost_pico`, NEW.`pair_mini_cost_pico`, NEW.`pair_nano_sq`, NEW.`pair_mini_sq`, NEW.`pair_cross`)
  ON CONFLICT (`key_id`, `day`, `endpoint`, `model`) DO UPDATE SET
    `requests` = `requests` + excluded.`requests`,
    `errors` = `errors` + excluded.`errors`,
    `input_tokens` = `input_tokens` + excluded.`input_tokens`,
    `cached_tokens` = `cached_tokens` + excluded.`cached_tokens`,
    `output_tokens` = `output_tokens` + excluded.`output_tokens`,
    `reasoning_tokens` = `reasoning_tokens` + excluded.`reasoning_tokens`,
    `cache_write_tokens` = `cache_write_tokens` + excluded.`cache_write_tokens`,
    `cost_pico` = `cost_pico` + excluded.`cost_pico`,
    `mini_cost_pico` = `mini_cost_pico` + excluded.`mini_cost_pico`,
    `escalations` = `escalations` + excluded.`escalations`,
    `shadow_requests` = `shadow_requests` + excluded.`shadow_requests`,
    `shadow_cost_pico` = `shadow_cost_pico` + excluded.`shadow_cost_pico`,
    `judged` = `judged` + excluded.`judged`,
    `agreed` = `agreed` + excluded.`agreed`,
    `pairs` = `pairs` + excluded.`pairs`,
    `pair_nano_cost_pico` = `pair_nano_cost_pico` + excluded.`pair_nano_cost_pico`,
    `pair_mini_cost_pico` = `pair_mini_cost_pico` + excluded.`pair_mini_cost_pico`,
    `pair_nano_sq` = `pair_nano_sq` + excluded.`pair_nano_sq`,
    `pair_mini_sq` = `pair_mini_sq` + excluded.`pair_mini_sq`,
    `pair_cross` = `pair_cross` + excluded.`pair_cross`;
END;--> statement-breakpoint
CREATE TRIGGER `rollup_all_tiers_update` AFTER UPDATE ON `rollup`
BEGIN
  UPDATE `rollup_all_tiers` SET
    `requests` = `requests` + NEW.`requests` - OLD.`requests`,
    `errors` = `errors` + NEW.`errors` - OLD.`errors`,
    `input_tokens` = `input_tokens` + NEW.`input_tokens` - OLD.`input_tokens`,
    `cached_tokens` = `cached_tokens` + NEW.`cached_tokens` - OLD.`cached_tokens`,
    `output_tokens` = `output_tokens` + NEW.`output_tokens` - OLD.`output_tokens`,
    `reasoning_tokens` = `reasoning_tokens` + NEW.`reasoning_tokens` - OLD.`reasoning_tokens`,
    `cache_write_tokens` = `cache_write_tokens` + NEW.`cache_write_tokens` - OLD.`cache_write_tokens`,
    `cost_pico` = `cost_pico` + NEW.`cost_pico` - OLD.`cost_pico`,
    `mini_cost_pico` = `mini_cost_pico` + NEW.`mini_cost_pico` - OLD.`mini_cost_pico`,
    `escalations` = `escalations` + NEW.`escalations` - OLD.`escalations`,
    `shadow_requests` = `shadow_requests` + NEW.`shadow_requests` - OLD.`shadow_requests`,
    `shadow_cost_pico` = `shadow_cost_pico` + NEW.`shadow_cost_pico` - OLD.`shadow_cost_pico`,
    `judged` = `judged` + NEW.`judged` - OLD.`judged`,
    `agreed` = `agreed` + NEW.`agreed` - OLD.`agreed`,
    `pairs` = `pairs` + NEW.`pairs` - OLD.`pairs`,
    `pair_nano_cost_pico` = `pair_nano_cost_pico` + NEW.`pair_nano_cost_pico` - OLD.`pair_nano_cost_pico`,
    `pair_mini_cost_pico` = `pair_mini_cost_pico` + NEW.`pair_mini_cost_pico` - OLD.`pair_mini_cost_pico`,
    `pair_nano_sq` = `pair_nano_sq` + NEW.`pair_nano_sq` - OLD.`pair_nano_sq`,
    `pair_mini_sq` = `pair_mini_sq` + NEW.`pair_mini_sq` - OLD.`pair_mini_sq`,
    `pair_cross` = `pair_cross` + NEW.`pair_cross` - OLD.`pair_cross`
  WHERE `key_id` = NEW.`key_id` AND `day` = NEW.`day` AND `endpoint` = NEW.`endpoint` AND `model` = NEW.`model`;
END;--> statement-breakpoint
CREATE TRIGGER `rollup_all_tiers_delete` AFTER DELETE ON `rollup`
BEGIN
  UPDATE `rollup_all_tiers` SET
    `requests` = `requests` - OLD.`requests`,
    `errors` = `errors` - OLD.`errors`,
    `input_tokens` = `input_tokens` - OLD.`input_tokens`,
    `cached_tokens` = `cached_tokens` - OLD.`cached_tokens`,
    `output_tokens` = `output_tokens` - OLD.`output_tokens`,
    `reasoning_tokens` = `reasoning_tokens` - OLD.`reasoning_tokens`,
    `cache_write_tokens` = `cache_write_tokens` - OLD.`cache_write_tokens`,
    `cost_pico` = `cost_pico` - OLD.`cost_pico`,
    `mini_cost_pico` = `mini_cost_pico` - OLD.`mini_cost_pico`,
    `escalations` = `escalations` - OLD.`escalations`,
    `shadow_requests` = `shadow_requests` - OLD.`shadow_requests`,
    `shadow_cost_pico` = `shadow_cost_pico` - OLD.`shadow_cost_pico`,
    `judged` = `judged` - OLD.`judged`,
    `agreed` = `agreed` - OLD.`agreed`,
    `pairs` = `pairs` - OLD.`pairs`,
    `pair_nano_cost_pico` = `pair_nano_cost_pico` - OLD.`pair_nano_cost_pico`,
    `pair_mini_cost_pico` = `pair_mini_cost_pico` - OLD.`pair_mini_cost_pico`,
    `pair_nano_sq` = `pair_nano_sq` - OLD.`pair_nano_sq`,
    `pair_mini_sq` = `pair_mini_sq` - OLD.`pair_mini_sq`,
    `pair_cross` = `pair_cross` - OLD.`pair_cross`
  WHERE `key_id` = OLD.`key_id` AND `day` = OLD.`day` AND `endpoint` = OLD.`endpoint` AND `model` = OLD.`model`;
END;--> statement-breakpoint

-- Every day's rollup so far, summed over tiers.
INSERT INTO `rollup_all_tiers` (`day`, `key_id`, `endpoint`, `model`, `requests`, `errors`, `input_tokens`, `cached_tokens`, `output_tokens`, `reasoning_tokens`, `cache_write_tokens`, `cost_pico`, `mini_cost_pico`, `escalations`, `shadow_requests`, `shadow_cost_pico`, `judged`, `agreed`, `pairs`, `pair_nano_cost_pico`, `pair_mini_cost_pico`, `pair_nano_sq`, `pair_mini_sq`, `pair_cross`)
SELECT `day`, `key_id`, `endpoint`, `model`, sum(`requests`), sum(`errors`), sum(`input_tokens`), sum(`cached_tokens`), sum(`output_tokens`), sum(`reasoning_tokens`), sum(`cache_write_tokens`), sum(`cost_pico`), sum(`mini_cost_pico`), sum(`escalations`), sum(`shadow_requests`), sum(`shadow_cost_pico`), sum(`judged`), sum(`agreed`), sum(`pairs`), sum(`pair_nano_cost_pico`), sum(`pair_mini_cost_pico`), sum(`pair_nano_sq`), sum(`pair_mini_sq`), sum(`pair_cross`)
FROM `rollup` GROUP BY `key_id`, `day`, `endpoint`, `model`;
