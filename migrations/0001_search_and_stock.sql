-- Name search: an FTS5 index over products.name, accent- and case-insensitive
-- (unicode61 with remove_diacritics 2), with prefix indexes for 2- and 3-letter prefixes.
-- detail=column and columnsize=0: tpv matches word prefixes and never ranks by bm25 or
-- queries phrases, so positions and sizes would only cost space and load time.
CREATE VIRTUAL TABLE `products_fts` USING fts5(
	name,
	content='products',
	content_rowid='id',
	tokenize='unicode61 remove_diacritics 2',
	prefix='2 3',
	detail=column,
	columnsize=0
);
--> statement-breakpoint
-- While a bulk load runs (a row in bulk_loads) the load rebuilds the index at its end instead.
CREATE TRIGGER `products_fts_ai` AFTER INSERT ON `products` WHEN NOT EXISTS (SELECT 1 FROM bulk_loads) BEGIN
	INSERT INTO products_fts(rowid, name) VALUES (new.id, new.name);
END;
--> statement-breakpoint
CREATE TRIGGER `products_fts_ad` AFTER DELETE ON `products` WHEN NOT EXISTS (SELECT 1 FROM bulk_loads) BEGIN
	INSERT INTO products_fts(products_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
--> statement-breakpoint
CREATE TRIGGER `products_fts_au` AFTER UPDATE OF name ON `products` WHEN NOT EXISTS (SELECT 1 FROM bulk_loads) BEGIN
	INSERT INTO products_fts(products_fts, rowid, name) VALUES ('delete', old.id, old.name);
	INSERT INTO products_fts(rowid, name) VALUES (new.id, new.name);
END;
--> statement-breakpoint
-- On-hand stock is derived from the moves: every move adds its quantity to products.on_hand
-- in the same statement, so the two can never disagree. The one exception is the 'opening'
-- move of a product created with stock: the product row is inserted with on_hand already set
-- (bulk loads save a row update per product), and this trigger checks that they agree.
CREATE TRIGGER `stock_moves_ai` AFTER INSERT ON `stock_moves` WHEN new.kind <> 'opening' BEGIN
	UPDATE products SET on_hand = on_hand + new.qty WHERE id = new.product_id;
END;
--> statement-breakpoint
CREATE TRIGGER `stock_moves_opening` BEFORE INSERT ON `stock_moves` WHEN new.kind = 'opening' BEGIN
	SELECT RAISE(ABORT, 'an opening move must be the only move of a product created with that stock')
	WHERE (SELECT on_hand FROM products WHERE id = new.product_id) IS NOT new.qty
	   OR EXISTS (SELECT 1 FROM stock_moves WHERE product_id = new.product_id);
END;
--> statement-breakpoint
CREATE TRIGGER `stock_moves_no_update` BEFORE UPDATE ON `stock_moves` BEGIN
	SELECT RAISE(ABORT, 'stock moves are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `stock_moves_no_delete` BEFORE DELETE ON `stock_moves` BEGIN
	SELECT RAISE(ABORT, 'stock moves are append-only');
END;
