CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`user_id` integer,
	`action` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE TABLE `carts` (
	`id` integer PRIMARY KEY NOT NULL,
	`register` text NOT NULL,
	`user_id` integer NOT NULL,
	`status` text NOT NULL,
	`data` text NOT NULL,
	`label` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `carts_register` ON `carts` (`register`,`status`);--> statement-breakpoint
CREATE TABLE `cash_moves` (
	`id` integer PRIMARY KEY NOT NULL,
	`shift_id` integer NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`reason` text NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`shift_id`) REFERENCES `shifts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cash_moves_shift` ON `cash_moves` (`shift_id`);--> statement-breakpoint
CREATE TABLE `document_lines` (
	`document_id` integer NOT NULL,
	`line` integer NOT NULL,
	`product_id` integer,
	`sku` text NOT NULL,
	`name` text NOT NULL,
	`unit` text NOT NULL,
	`qty` integer NOT NULL,
	`unit_price` integer NOT NULL,
	`list_price` integer,
	`gross` integer NOT NULL,
	`line_discount` integer NOT NULL,
	`cart_discount` integer NOT NULL,
	`amount` integer NOT NULL,
	`tax_rate` integer NOT NULL,
	`category_id` integer,
	`note` text,
	PRIMARY KEY(`document_id`, `line`),
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `document_lines_product` ON `document_lines` (`product_id`);--> statement-breakpoint
CREATE TABLE `document_payments` (
	`document_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`method` text NOT NULL,
	`amount` integer NOT NULL,
	`reference` text,
	`shift_id` integer,
	`doc_type` text NOT NULL,
	PRIMARY KEY(`document_id`, `seq`),
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `document_payments_shift` ON `document_payments` (`shift_id`,`doc_type`,`method`,`amount`);--> statement-breakpoint
CREATE TABLE `document_taxes` (
	`document_id` integer NOT NULL,
	`rate` integer NOT NULL,
	`base` integer NOT NULL,
	`tax` integer NOT NULL,
	`shift_id` integer,
	`doc_type` text NOT NULL,
	PRIMARY KEY(`document_id`, `rate`),
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `document_taxes_shift` ON `document_taxes` (`shift_id`,`doc_type`,`rate`,`base`,`tax`);--> statement-breakpoint
CREATE TABLE `documents` (
	`id` integer PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`number` text NOT NULL,
	`series_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`register` text NOT NULL,
	`created_at` text NOT NULL,
	`user_id` integer NOT NULL,
	`shift_id` integer,
	`ref_id` integer,
	`external_id` text,
	`prices_include_tax` integer NOT NULL,
	`currency` text NOT NULL,
	`subtotal` integer NOT NULL,
	`discount` integer NOT NULL,
	`total` integer NOT NULL,
	`tendered` integer DEFAULT 0 NOT NULL,
	`change` integer DEFAULT 0 NOT NULL,
	`rounding` integer DEFAULT 0 NOT NULL,
	`approvals` text DEFAULT '[]' NOT NULL,
	`note` text,
	`body` text,
	FOREIGN KEY (`series_id`) REFERENCES `series`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`shift_id`) REFERENCES `shifts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `documents_number_unique` ON `documents` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `documents_external_id_unique` ON `documents` (`external_id`);--> statement-breakpoint
CREATE INDEX `documents_shift` ON `documents` (`shift_id`,`type`,`total`,`discount`,`rounding`,`seq`,`series_id`);--> statement-breakpoint
CREATE INDEX `documents_created` ON `documents` (`created_at`);--> statement-breakpoint
CREATE INDEX `documents_ref` ON `documents` (`ref_id`);--> statement-breakpoint
CREATE TABLE `journal` (
	`seq` integer PRIMARY KEY NOT NULL,
	`document_id` integer NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `journal_document_id_unique` ON `journal` (`document_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` text NOT NULL,
	`sent_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_id_unique` ON `outbox` (`id`);--> statement-breakpoint
CREATE TABLE `series` (
	`id` integer PRIMARY KEY NOT NULL,
	`register` text NOT NULL,
	`doc_type` text NOT NULL,
	`template` text NOT NULL,
	`next` integer DEFAULT 1 NOT NULL,
	`yearly_reset` integer DEFAULT false NOT NULL,
	`year` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_register_type` ON `series` (`register`,`doc_type`);--> statement-breakpoint
CREATE TABLE `shifts` (
	`id` integer PRIMARY KEY NOT NULL,
	`register` text NOT NULL,
	`opened_at` text NOT NULL,
	`opened_by` integer NOT NULL,
	`float` integer NOT NULL,
	`closed_at` text,
	`closed_by` integer,
	`counted` integer,
	`z_document_id` integer,
	FOREIGN KEY (`opened_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`closed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `shifts_register` ON `shifts` (`register`);--> statement-breakpoint
-- One open shift per register.
CREATE UNIQUE INDEX `shifts_one_open` ON `shifts` (`register`) WHERE `closed_at` IS NULL;
--> statement-breakpoint
-- Committed documents are immutable: corrections are new documents that reference them.
CREATE TRIGGER `documents_no_update` BEFORE UPDATE ON `documents` BEGIN
	SELECT RAISE(ABORT, 'documents are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `documents_no_delete` BEFORE DELETE ON `documents` BEGIN
	SELECT RAISE(ABORT, 'documents are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `document_lines_no_update` BEFORE UPDATE ON `document_lines` BEGIN
	SELECT RAISE(ABORT, 'documents are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `document_lines_no_delete` BEFORE DELETE ON `document_lines` BEGIN
	SELECT RAISE(ABORT, 'documents are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `journal_no_update` BEFORE UPDATE ON `journal` BEGIN
	SELECT RAISE(ABORT, 'the journal is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `journal_no_delete` BEFORE DELETE ON `journal` BEGIN
	SELECT RAISE(ABORT, 'the journal is append-only');
END;
