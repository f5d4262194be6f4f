CREATE TABLE `einvoice_records` (
	`id` integer PRIMARY KEY NOT NULL,
	`scheme` text NOT NULL,
	`kind` text NOT NULL,
	`document_id` integer NOT NULL,
	`tipo` text,
	`generated_at` text NOT NULL,
	`prev_huella` text,
	`huella` text NOT NULL,
	`record` text NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `einvoice_records_prev_huella_unique` ON `einvoice_records` (`prev_huella`);--> statement-breakpoint
CREATE UNIQUE INDEX `einvoice_records_huella_unique` ON `einvoice_records` (`huella`);--> statement-breakpoint
CREATE INDEX `einvoice_records_document` ON `einvoice_records` (`document_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `einvoice_records_first` ON `einvoice_records` (("prev_huella" IS NULL)) WHERE "prev_huella" IS NULL;--> statement-breakpoint
CREATE TABLE `einvoice_states` (
	`id` integer PRIMARY KEY NOT NULL,
	`record_id` integer NOT NULL,
	`at` text NOT NULL,
	`state` text NOT NULL,
	`code` text,
	`description` text,
	`csv` text,
	FOREIGN KEY (`record_id`) REFERENCES `einvoice_records`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `einvoice_states_record` ON `einvoice_states` (`record_id`,`id`);--> statement-breakpoint
CREATE TRIGGER `einvoice_records_no_update` BEFORE UPDATE ON `einvoice_records` BEGIN
	SELECT RAISE(ABORT, 'fiscal records are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `einvoice_records_no_delete` BEFORE DELETE ON `einvoice_records` BEGIN
	SELECT RAISE(ABORT, 'fiscal records are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `einvoice_states_no_update` BEFORE UPDATE ON `einvoice_states` BEGIN
	SELECT RAISE(ABORT, 'the record states are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `einvoice_states_no_delete` BEFORE DELETE ON `einvoice_states` BEGIN
	SELECT RAISE(ABORT, 'the record states are append-only');
END;
