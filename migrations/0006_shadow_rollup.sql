ALTER TABLE `rollup` ADD `escalations` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `shadow_requests` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `shadow_cost_nano` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `judged` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `agreed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `pairs` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `pair_nano_cost_nano` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `pair_mini_cost_nano` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `pair_nano_sq` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `pair_mini_sq` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `pair_cross` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `prefix_tokens` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollup` ADD `prefix_missed_tokens` integer DEFAULT 0 NOT NULL;