ALTER TABLE `ledger` ADD `batch_id` text;--> statement-breakpoint
CREATE INDEX `ledger_batch` ON `ledger` (`batch_id`) WHERE "ledger"."batch_id" is not null;