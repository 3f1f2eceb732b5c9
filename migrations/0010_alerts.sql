CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`key_id` text NOT NULL,
	`period` text NOT NULL,
	`threshold` integer NOT NULL,
	`spent_pico` integer NOT NULL,
	`budget_pico` integer,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`delivered_at` integer,
	`last_status` integer,
	`last_error` text,
	`history` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_once` ON `alerts` (`type`,`key_id`,`period`,`threshold`);--> statement-breakpoint
CREATE INDEX `alerts_created` ON `alerts` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `alerts_key_created` ON `alerts` (`key_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `alerts_due` ON `alerts` (`next_attempt_at`);