DROP INDEX `documents_external_id_unique`;--> statement-breakpoint
DROP INDEX `documents_ref`;--> statement-breakpoint
CREATE UNIQUE INDEX `documents_external_id_unique` ON `documents` (`external_id`) WHERE external_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `documents_ref` ON `documents` (`ref_id`) WHERE ref_id IS NOT NULL;