ALTER TABLE `customers` ADD `uid` text;--> statement-breakpoint
CREATE UNIQUE INDEX `customers_uid_unique` ON `customers` (`uid`);--> statement-breakpoint
ALTER TABLE `outbox` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `outbox_legacy` ON `outbox` (`seq`) WHERE version = 0;--> statement-breakpoint
ALTER TABLE `shifts` ADD `uid` text;--> statement-breakpoint
CREATE UNIQUE INDEX `shifts_uid_unique` ON `shifts` (`uid`);--> statement-breakpoint
-- rows made before uids existed get a random (version 4) UUID; new rows get a UUIDv7 from tpv
UPDATE `shifts` SET `uid` = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))) WHERE `uid` IS NULL;--> statement-breakpoint
UPDATE `customers` SET `uid` = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))) WHERE `uid` IS NULL;
