CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`key_prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`daily_budget_nano` integer,
	`rpm` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`time` integer NOT NULL,
	`key_id` text NOT NULL,
	`endpoint` text NOT NULL,
	`model` text NOT NULL,
	`upstream` text NOT NULL,
	`status` integer NOT NULL,
	`error` text,
	`input_tokens` integer NOT NULL,
	`cached_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`reasoning_tokens` integer NOT NULL,
	`cost_nano` integer NOT NULL,
	`mini_cost_nano` integer NOT NULL,
	`latency_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_request_attempt` ON `ledger` (`request_id`,`attempt`);--> statement-breakpoint
CREATE INDEX `ledger_key_time` ON `ledger` (`key_id`,`time`,`id`);--> statement-breakpoint
CREATE INDEX `ledger_time` ON `ledger` (`time`);--> statement-breakpoint
CREATE TABLE `prices` (
	`model` text NOT NULL,
	`effective_from` text NOT NULL,
	`input_nano` integer NOT NULL,
	`cached_input_nano` integer NOT NULL,
	`output_nano` integer NOT NULL,
	PRIMARY KEY(`model`, `effective_from`)
);
