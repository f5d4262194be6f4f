CREATE TABLE `import_runs` (
	`id` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`source` text NOT NULL,
	`checksum` text NOT NULL,
	`rows` integer NOT NULL,
	`applied` integer DEFAULT 0 NOT NULL,
	`state` text NOT NULL,
	`started_at` text NOT NULL,
	`ended_at` text,
	`error` text,
	`pid` integer
);
--> statement-breakpoint
CREATE TABLE `sale_requests` (
	`external_id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `journal_start` (
	`id` integer PRIMARY KEY NOT NULL,
	`last_cash_move` integer NOT NULL,
	`last_shift` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `__new_journal` (
	`seq` integer PRIMARY KEY NOT NULL,
	`document_id` integer,
	`cash_move_id` integer,
	`shift_id` integer,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`cash_move_id`) REFERENCES `cash_moves`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`shift_id`) REFERENCES `shifts`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "journal_one_fact" CHECK((document_id IS NOT NULL) + (cash_move_id IS NOT NULL) + (shift_id IS NOT NULL) = 1)
);
--> statement-breakpoint
INSERT INTO `__new_journal`("seq", "document_id", "prev_hash", "hash") SELECT "seq", "document_id", "prev_hash", "hash" FROM `journal`;--> statement-breakpoint
DROP TABLE `journal`;--> statement-breakpoint
ALTER TABLE `__new_journal` RENAME TO `journal`;--> statement-breakpoint
CREATE UNIQUE INDEX `journal_document_id_unique` ON `journal` (`document_id`) WHERE document_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `journal_cash_move_id_unique` ON `journal` (`cash_move_id`) WHERE cash_move_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `journal_shift_id_unique` ON `journal` (`shift_id`) WHERE shift_id IS NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `lockouts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Cash moves and shift openings made before this migration were never journaled.
INSERT INTO `journal_start` (`id`, `last_cash_move`, `last_shift`)
	SELECT 1, coalesce((SELECT max(id) FROM cash_moves), 0), coalesce((SELECT max(id) FROM shifts), 0);
--> statement-breakpoint
-- The journal, the figures a Z report is made of, and the series counters only move forward.
CREATE TRIGGER `journal_no_update` BEFORE UPDATE ON `journal` BEGIN
	SELECT RAISE(ABORT, 'the journal is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `journal_no_delete` BEFORE DELETE ON `journal` BEGIN
	SELECT RAISE(ABORT, 'the journal is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `document_taxes_no_update` BEFORE UPDATE ON `document_taxes` BEGIN
	SELECT RAISE(ABORT, 'documents are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `document_taxes_no_delete` BEFORE DELETE ON `document_taxes` BEGIN
	SELECT RAISE(ABORT, 'documents are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `document_payments_no_update` BEFORE UPDATE ON `document_payments` BEGIN
	SELECT RAISE(ABORT, 'documents are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `document_payments_no_delete` BEFORE DELETE ON `document_payments` BEGIN
	SELECT RAISE(ABORT, 'documents are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `cash_moves_no_update` BEFORE UPDATE ON `cash_moves` BEGIN
	SELECT RAISE(ABORT, 'cash moves are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `cash_moves_no_delete` BEFORE DELETE ON `cash_moves` BEGIN
	SELECT RAISE(ABORT, 'cash moves are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `shifts_no_delete` BEFORE DELETE ON `shifts` BEGIN
	SELECT RAISE(ABORT, 'shifts are immutable');
END;
--> statement-breakpoint
-- A shift is closed once; what it opened with never changes.
CREATE TRIGGER `shifts_no_update` BEFORE UPDATE ON `shifts`
WHEN old.closed_at IS NOT NULL OR new.id IS NOT old.id OR new.uid IS NOT old.uid OR new.register IS NOT old.register
	OR new.opened_at IS NOT old.opened_at OR new.opened_by IS NOT old.opened_by OR new.float IS NOT old.float BEGIN
	SELECT RAISE(ABORT, 'shifts are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `series_no_rewind` BEFORE UPDATE OF `next`, `year` ON `series`
WHEN new.next < old.next AND NOT (new.yearly_reset = 1 AND new.year > coalesce(old.year, 0)) BEGIN
	SELECT RAISE(ABORT, 'a series counter never goes back');
END;
--> statement-breakpoint
CREATE TRIGGER `series_no_delete` BEFORE DELETE ON `series` BEGIN
	SELECT RAISE(ABORT, 'series are never deleted');
END;
