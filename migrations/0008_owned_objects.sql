CREATE TABLE `owned_objects` (
	`kind` text NOT NULL,
	`id` text NOT NULL,
	`key_id` text NOT NULL,
	`request_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`settled_at` integer,
	`meta` text,
	PRIMARY KEY(`kind`, `id`)
);
--> statement-breakpoint
CREATE INDEX `owned_objects_key` ON `owned_objects` (`key_id`,`kind`,`created_at`);--> statement-breakpoint
CREATE INDEX `owned_objects_open` ON `owned_objects` (`kind`,`settled_at`);