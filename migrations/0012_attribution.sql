CREATE TABLE `rollup_tags` (
	`day` text NOT NULL,
	`key_id` text NOT NULL,
	`endpoint` text NOT NULL,
	`model` text NOT NULL,
	`service_tier` text NOT NULL,
	`tag_name` text NOT NULL,
	`tag_value` text NOT NULL,
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
	PRIMARY KEY(`day`, `tag_name`, `tag_value`, `key_id`, `endpoint`, `model`, `service_tier`)
);
--> statement-breakpoint
CREATE INDEX `rollup_tags_key_day` ON `rollup_tags` (`key_id`,`day`,`tag_name`,`tag_value`);--> statement-breakpoint
CREATE TABLE `rollup_user_days` (
	`day` text NOT NULL,
	`key_id` text NOT NULL,
	`end_user` text NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`cached_tokens` integer NOT NULL,
	`cache_write_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`reasoning_tokens` integer NOT NULL,
	`cost_pico` integer NOT NULL,
	`mini_cost_pico` integer NOT NULL,
	PRIMARY KEY(`key_id`, `end_user`, `day`)
);
--> statement-breakpoint
CREATE INDEX `rollup_user_days_cost` ON `rollup_user_days` (`day`,`cost_pico`);--> statement-breakpoint
CREATE INDEX `rollup_user_days_key_cost` ON `rollup_user_days` (`key_id`,`day`,`cost_pico`);--> statement-breakpoint
CREATE TABLE `rollup_users` (
	`day` text NOT NULL,
	`key_id` text NOT NULL,
	`endpoint` text NOT NULL,
	`model` text NOT NULL,
	`service_tier` text NOT NULL,
	`end_user` text NOT NULL,
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
	PRIMARY KEY(`day`, `end_user`, `key_id`, `endpoint`, `model`, `service_tier`)
);
--> statement-breakpoint
ALTER TABLE `ledger` ADD `tags` text;--> statement-breakpoint
ALTER TABLE `ledger` ADD `end_user` text;