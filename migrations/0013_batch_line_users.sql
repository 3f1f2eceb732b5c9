CREATE TABLE `batch_line_users` (
	`batch_id` text NOT NULL,
	`custom_id` text NOT NULL,
	`end_user` text NOT NULL,
	PRIMARY KEY(`batch_id`, `custom_id`)
);
