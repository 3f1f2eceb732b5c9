CREATE TABLE `rollup` (
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
	`cost_nano` integer NOT NULL,
	`mini_cost_nano` integer NOT NULL,
	PRIMARY KEY(`day`, `key_id`, `endpoint`, `model`)
);
--> statement-breakpoint
CREATE INDEX `rollup_key_day` ON `rollup` (`key_id`,`day`);--> statement-breakpoint
CREATE TABLE `rollup_days` (
	`day` text PRIMARY KEY NOT NULL,
	`rolled_at` integer NOT NULL
);
