CREATE TABLE `key_spend` (
	`key_id` text NOT NULL,
	`day` text NOT NULL,
	`cost_nano` integer NOT NULL,
	PRIMARY KEY(`key_id`, `day`)
);
