CREATE TABLE `einvoice_submissions` (
	`id` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`records` integer NOT NULL,
	`estado_envio` text,
	`csv` text,
	`wait_seconds` integer,
	`error` text
);
--> statement-breakpoint
CREATE TRIGGER `einvoice_submissions_no_update` BEFORE UPDATE ON `einvoice_submissions` BEGIN
	SELECT RAISE(ABORT, 'the submissions are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `einvoice_submissions_no_delete` BEFORE DELETE ON `einvoice_submissions` BEGIN
	SELECT RAISE(ABORT, 'the submissions are append-only');
END;
