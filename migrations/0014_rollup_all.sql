CREATE TABLE `rollup_all` (
	`day` text NOT NULL,
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
	PRIMARY KEY(`day`, `endpoint`, `model`, `service_tier`)
);--> statement-breakpoint
-- Every day already rolled up, summed over its keys.
INSERT INTO `rollup_all` (`day`, `endpoint`, `model`, `service_tier`, `requests`, `errors`, `input_tokens`, `cached_tokens`, `output_tokens`, `reasoning_tokens`, `cache_write_tokens`, `cost_pico`, `mini_cost_pico`, `escalations`, `shadow_requests`, `shadow_cost_pico`, `judged`, `agreed`, `pairs`, `pair_nano_cost_pico`, `pair_mini_cost_pico`, `pair_nano_sq`, `pair_mini_sq`, `pair_cross`)
SELECT `day`, `endpoint`, `model`, `service_tier`, sum(`requests`), sum(`errors`), sum(`input_tokens`), sum(`cached_tokens`), sum(`output_tokens`), sum(`reasoning_tokens`), sum(`cache_write_tokens`), sum(`cost_pico`), sum(`mini_cost_pico`), sum(`escalations`), sum(`shadow_requests`), sum(`shadow_cost_pico`), sum(`judged`), sum(`agreed`), sum(`pairs`), sum(`pair_nano_cost_pico`), sum(`pair_mini_cost_pico`), sum(`pair_nano_sq`), sum(`pair_mini_sq`), sum(`pair_cross`)
FROM `rollup` GROUP BY `day`, `endpoint`, `model`, `service_tier`;
