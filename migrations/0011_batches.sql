CREATE TABLE `batch_metering` (
	`batch_id` text PRIMARY KEY NOT NULL,
	`output_lines` integer DEFAULT 0 NOT NULL,
	`error_lines` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `task_batch_items` (
	`batch_id` text NOT NULL,
	`custom_id` text NOT NULL,
	`seq` integer NOT NULL,
	`input` text,
	`status` integer,
	`model` text,
	`output` text,
	`error` text,
	`usage` text,
	`cost_pico` integer,
	`mini_cost_pico` integer,
	PRIMARY KEY(`batch_id`, `custom_id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `task_batch_items_seq` ON `task_batch_items` (`batch_id`,`seq`);--> statement-breakpoint
ALTER TABLE `ledger` ADD `batch_id` text;--> statement-breakpoint
CREATE INDEX `ledger_batch` ON `ledger` (`batch_id`) WHERE "ledger"."batch_id" is not null;