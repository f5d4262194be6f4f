CREATE TABLE `credit_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`credit_id` integer NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`at` text NOT NULL,
	`ref` text,
	`user_id` integer,
	`reason` text,
	FOREIGN KEY (`credit_id`) REFERENCES `credits`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `credit_events_credit` ON `credit_events` (`credit_id`);--> statement-breakpoint
CREATE TABLE `credits` (
	`id` integer PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`customer_id` integer,
	`origin` text NOT NULL,
	`issued_at` text NOT NULL,
	`expires_at` text,
	`document_id` integer,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credits_code_unique` ON `credits` (`code`);--> statement-breakpoint
CREATE INDEX `credits_customer` ON `credits` (`customer_id`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`country` text,
	`tax_id` text,
	`email` text,
	`phone` text,
	`address` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_tax_id` ON `customers` (`country`,`tax_id`);--> statement-breakpoint
CREATE INDEX `customers_name` ON `customers` (`name`);--> statement-breakpoint
CREATE TRIGGER `credit_events_no_update` BEFORE UPDATE ON `credit_events` BEGIN
	SELECT RAISE(ABORT, 'the credit ledger is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `credit_events_no_delete` BEFORE DELETE ON `credit_events` BEGIN
	SELECT RAISE(ABORT, 'the credit ledger is append-only');
END;
