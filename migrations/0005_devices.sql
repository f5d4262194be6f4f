CREATE TABLE `devices` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`url` text,
	`options` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
