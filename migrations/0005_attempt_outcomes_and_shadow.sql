ALTER TABLE `ledger` ADD `outcome` text DEFAULT 'ok' NOT NULL;--> statement-breakpoint
ALTER TABLE `ledger` ADD `shadow` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `ledger` ADD `agreement` integer;--> statement-breakpoint
ALTER TABLE `ledger` ADD `pair_cost_nano` integer;