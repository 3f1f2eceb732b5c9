-- key_spend is kept by SQLite itself, atomically with each ledger insert. The ledger writer
-- inserts with ON CONFLICT (request_id, attempt) DO NOTHING, so a retried write that had in
-- fact landed inserts nothing and fires nothing: spend is never counted twice. The day is the
-- UTC day of the row's `time`, as in the rollup. Rows at zero cost (failed requests) skip it.
CREATE TRIGGER `ledger_key_spend` AFTER INSERT ON `ledger`
WHEN NEW.`cost_nano` <> 0
BEGIN
  INSERT INTO `key_spend` (`key_id`, `day`, `cost_nano`)
  VALUES (NEW.`key_id`, strftime('%Y-%m-%d', NEW.`time` / 1000, 'unixepoch'), NEW.`cost_nano`)
  ON CONFLICT (`key_id`, `day`) DO UPDATE SET `cost_nano` = `cost_nano` + excluded.`cost_nano`;
END;
--> statement-breakpoint
-- A database that already has ledger rows starts with its counters right.
INSERT INTO `key_spend` (`key_id`, `day`, `cost_nano`)
SELECT `key_id`, strftime('%Y-%m-%d', `time` / 1000, 'unixepoch'), sum(`cost_nano`)
FROM `ledger` WHERE `cost_nano` <> 0
GROUP BY 1, 2
ON CONFLICT (`key_id`, `day`) DO UPDATE SET `cost_nano` = excluded.`cost_nano`;
