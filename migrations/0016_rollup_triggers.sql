-- The rollup kept current by the ledger itself: each inserted ledger row adds to its rollup group
-- (workers/spend/sums.ts `ledgerTerms`, row by row), in the insert's own transaction. A row the
-- insert ignores (already there: a redelivered queue message, a retried write) fires nothing, so
-- nothing counts twice. The prompt-prefix figure prefix_missed_tokens needs the whole day's
-- prefix: the daily check (workers/spend/rollup.ts) writes it; prefix_tokens, a maximum, is kept here.

-- An own row: its tokens and money; the request once, at its last own attempt, so an attempt
-- that becomes the last one takes the request (and its error) over from the one before it.
CREATE TRIGGER `ledger_rollup_own` AFTER INSERT ON `ledger` WHEN NEW.`shadow` = 0
BEGIN
  UPDATE `rollup` SET `requests` = `requests` - 1, `errors` = `errors` - (prior.`status` >= 400)
  FROM (SELECT `time`, `key_id`, `endpoint`, `model`, `service_tier`, `status` FROM `ledger`
        WHERE `request_id` = NEW.`request_id` AND `shadow` = 0 AND `attempt` < NEW.`attempt`
        ORDER BY `attempt` DESC LIMIT 1) AS prior
  WHERE NOT EXISTS (SELECT 1 FROM `ledger` AS later WHERE later.`request_id` = NEW.`request_id` AND later.`shadow` = 0 AND later.`attempt` > NEW.`attempt`)
    AND `rollup`.`day` = strftime('%Y-%m-%d', prior.`time` / 1000, 'unixepoch') AND `rollup`.`key_id` = prior.`key_id`
    AND `rollup`.`endpoint` = prior.`endpoint` AND `rollup`.`model` = prior.`model` AND `rollup`.`service_tier` = prior.`service_tier`;
  INSERT INTO `rollup` (`day`, `key_id`, `endpoint`, `model`, `service_tier`, `requests`, `errors`, `input_tokens`, `cached_tokens`,
    `output_tokens`, `reasoning_tokens`, `cache_write_tokens`, `cost_pico`, `mini_cost_pico`, `escalations`, `prefix_tokens`)
  SELECT strftime('%Y-%m-%d', NEW.`time` / 1000, 'unixepoch'), NEW.`key_id`, NEW.`endpoint`, NEW.`model`, NEW.`service_tier`, latest.yes, latest.yes AND NEW.`status` >= 400,
    NEW.`input_tokens`, NEW.`cached_tokens`, NEW.`output_tokens`, NEW.`reasoning_tokens`, NEW.`cache_write_tokens`, NEW.`cost_pico`,
    NEW.`mini_cost_pico`, NEW.`attempt` > 1 AND NEW.`model` = 'gpt-5.4-mini', NEW.`cached_tokens`
  FROM (SELECT NOT EXISTS (SELECT 1 FROM `ledger` AS later WHERE later.`request_id` = NEW.`request_id` AND later.`shadow` = 0 AND later.`attempt` > NEW.`attempt`) AS yes) AS latest
  WHERE true
  ON CONFLICT (`day`, `key_id`, `endpoint`, `model`, `service_tier`) DO UPDATE SET
    `requests` = `requests` + excluded.`requests`,
    `errors` = `errors` + excluded.`errors`,
    `input_tokens` = `input_tokens` + excluded.`input_tokens`,
    `cached_tokens` = `cached_tokens` + excluded.`cached_tokens`,
    `output_tokens` = `output_tokens` + excluded.`output_tokens`,
    `reasoning_tokens` = `reasoning_tokens` + excluded.`reasoning_tokens`,
    `cache_write_tokens` = `cache_write_tokens` + excluded.`cache_write_tokens`,
    `cost_pico` = `cost_pico` + excluded.`cost_pico`,
    `mini_cost_pico` = `mini_cost_pico` + excluded.`mini_cost_pico`,
    `escalations` = `escalations` + excluded.`escalations`,
    `prefix_tokens` = max(`prefix_tokens`, excluded.`prefix_tokens`);
END;--> statement-breakpoint

-- A shadow row: summed apart, in the group of the model and tier its request's attempt 1 asked for.
CREATE TRIGGER `ledger_rollup_shadow` AFTER INSERT ON `ledger` WHEN NEW.`shadow` = 1
BEGIN
  INSERT INTO `rollup` (`day`, `key_id`, `endpoint`, `model`, `service_tier`, `requests`, `errors`, `input_tokens`, `cached_tokens`,
    `output_tokens`, `reasoning_tokens`, `cost_pico`, `mini_cost_pico`, `shadow_requests`, `shadow_cost_pico`, `judged`, `agreed`,
    `pairs`, `pair_nano_cost_pico`, `pair_mini_cost_pico`, `pair_nano_sq`, `pair_mini_sq`, `pair_cross`)
  SELECT strftime('%Y-%m-%d', NEW.`time` / 1000, 'unixepoch'), NEW.`key_id`, NEW.`endpoint`, coalesce((SELECT attempt1.`model` FROM `ledger` AS attempt1 WHERE attempt1.`request_id` = NEW.`request_id` AND attempt1.`attempt` = 1), NEW.`model`),
    coalesce((SELECT attempt1.`service_tier` FROM `ledger` AS attempt1 WHERE attempt1.`request_id` = NEW.`request_id` AND attempt1.`attempt` = 1), NEW.`service_tier`), 0, 0, 0, 0, 0, 0, 0, 0, 1, NEW.`cost_pico`,
    NEW.`agreement` IS NOT NULL, coalesce(NEW.`agreement` = 1, 0), (NEW.`pair_cost_pico` IS NOT NULL), coalesce(NEW.`pair_cost_pico`, 0),
    CASE WHEN (NEW.`pair_cost_pico` IS NOT NULL) THEN NEW.`cost_pico` ELSE 0 END, coalesce(cast(NEW.`pair_cost_pico` AS real) * cast(NEW.`pair_cost_pico` AS real), 0), CASE WHEN (NEW.`pair_cost_pico` IS NOT NULL) THEN cast(NEW.`cost_pico` AS real) * cast(NEW.`cost_pico` AS real) ELSE 0 END, coalesce(cast(NEW.`pair_cost_pico` AS real) * cast(NEW.`cost_pico` AS real), 0)
  WHERE true
  ON CONFLICT (`day`, `key_id`, `endpoint`, `model`, `service_tier`) DO UPDATE SET
    `shadow_requests` = `shadow_requests` + excluded.`shadow_requests`,
    `shadow_cost_pico` = `shadow_cost_pico` + excluded.`shadow_cost_pico`,
    `judged` = `judged` + excluded.`judged`,
    `agreed` = `agreed` + excluded.`agreed`,
    `pairs` = `pairs` + excluded.`pairs`,
    `pair_nano_cost_pico` = `pair_nano_cost_pico` + excluded.`pair_nano_cost_pico`,
    `pair_mini_cost_pico` = `pair_mini_cost_pico` + excluded.`pair_mini_cost_pico`,
    `pair_nano_sq` = `pair_nano_sq` + excluded.`pair_nano_sq`,
    `pair_mini_sq` = `pair_mini_sq` + excluded.`pair_mini_sq`,
    `pair_cross` = `pair_cross` + excluded.`pair_cross`;
END;--> statement-breakpoint

-- rollup_all follows every change of rollup (the triggers above, the daily check's repairs).
CREATE TRIGGER `rollup_all_insert` AFTER INSERT ON `rollup`
BEGIN
  INSERT INTO `rollup_all` (`day`, `endpoint`, `model`, `service_tier`, `requests`, `errors`, `input_tokens`, `cached_tokens`, `output_tokens`, `reasoning_tokens`, `cache_write_tokens`, `cost_pico`, `mini_cost_pico`, `escalations`, `shadow_requests`, `shadow_cost_pico`, `judged`, `agreed`, `pairs`, `pair_nano_cost_pico`, `pair_mini_cost_pico`, `pair_nano_sq`, `pair_mini_sq`, `pair_cross`) VALUES (NEW.`day`, NEW.`endpoint`, NEW.`model`, NEW.`service_tier`, NEW.`requests`, NEW.`errors`, NEW.`input_tokens`, NEW.`cached_tokens`, NEW.`output_tokens`, NEW.`reasoning_tokens`, NEW.`cache_write_tokens`, NEW.`cost_pico`, NEW.`mini_cost_pico`, NEW.`escalations`, NEW.`shadow_requests`, NEW.`shadow_cost_pico`, NEW.`judged`, NEW.`agreed`, NEW.`pairs`, NEW.`pair_nano_cost_pico`, NEW.`pair_mini_cost_pico`, NEW.`pair_nano_sq`, NEW.`pair_mini_sq`, NEW.`pair_cross`)
  ON CONFLICT (`day`, `endpoint`, `model`, `service_tier`) DO UPDATE SET
    `requests` = `requests` + excluded.`requests`,
    `errors` = `errors` + excluded.`errors`,
    `input_tokens` = `input_tokens` + excluded.`input_tokens`,
    `cached_tokens` = `cached_tokens` + excluded.`cached_tokens`,
    `output_tokens` = `output_tokens` + excluded.`output_tokens`,
    `reasoning_tokens` = `reasoning_tokens` + excluded.`reasoning_tokens`,
    `cache_write_tokens` = `cache_write_tokens` + excluded.`cache_write_tokens`,
    `cost_pico` = `cost_pico` + excluded.`cost_pico`,
    `mini_cost_pico` = `mini_cost_pico` + excluded.`mini_cost_pico`,
    `escalations` = `escalations` + excluded.`escalations`,
    `shadow_requests` = `shadow_requests` + excluded.`shadow_requests`,
    `shadow_cost_pico` = `shadow_cost_pico` + excluded.`shadow_cost_pico`,
    `judged` = `judged` + excluded.`judged`,
    `agreed` = `agreed` + excluded.`agreed`,
    `pairs` = `pairs` + excluded.`pairs`,
    `pair_nano_cost_pico` = `pair_nano_cost_pico` + excluded.`pair_nano_cost_pico`,
    `pair_mini_cost_pico` = `pair_mini_cost_pico` + excluded.`pair_mini_cost_pico`,
    `pair_nano_sq` = `pair_nano_sq` + excluded.`pair_nano_sq`,
    `pair_mini_sq` = `pair_mini_sq` + excluded.`pair_mini_sq`,
    `pair_cross` = `pair_cross` + excluded.`pair_cross`;
END;--> statement-breakpoint
CREATE TRIGGER `rollup_all_update` AFTER UPDATE ON `rollup`
BEGIN
  UPDATE `rollup_all` SET
    `requests` = `requests` + NEW.`requests` - OLD.`requests`,
    `errors` = `errors` + NEW.`errors` - OLD.`errors`,
    `input_tokens` = `input_tokens` + NEW.`input_tokens` - OLD.`input_tokens`,
    `cached_tokens` = `cached_tokens` + NEW.`cached_tokens` - OLD.`cached_tokens`,
    `output_tokens` = `output_tokens` + NEW.`output_tokens` - OLD.`output_tokens`,
    `reasoning_tokens` = `reasoning_tokens` + NEW.`reasoning_tokens` - OLD.`reasoning_tokens`,
    `cache_write_tokens` = `cache_write_tokens` + NEW.`cache_write_tokens` - OLD.`cache_write_tokens`,
    `cost_pico` = `cost_pico` + NEW.`cost_pico` - OLD.`cost_pico`,
    `mini_cost_pico` = `mini_cost_pico` + NEW.`mini_cost_pico` - OLD.`mini_cost_pico`,
    `escalations` = `escalations` + NEW.`escalations` - OLD.`escalations`,
    `shadow_requests` = `shadow_requests` + NEW.`shadow_requests` - OLD.`shadow_requests`,
    `shadow_cost_pico` = `shadow_cost_pico` + NEW.`shadow_cost_pico` - OLD.`shadow_cost_pico`,
    `judged` = `judged` + NEW.`judged` - OLD.`judged`,
    `agreed` = `agreed` + NEW.`agreed` - OLD.`agreed`,
    `pairs` = `pairs` + NEW.`pairs` - OLD.`pairs`,
    `pair_nano_cost_pico` = `pair_nano_cost_pico` + NEW.`pair_nano_cost_pico` - OLD.`pair_nano_cost_pico`,
    `pair_mini_cost_pico` = `pair_mini_cost_pico` + NEW.`pair_mini_cost_pico` - OLD.`pair_mini_cost_pico`,
    `pair_nano_sq` = `pair_nano_sq` + NEW.`pair_nano_sq` - OLD.`pair_nano_sq`,
    `pair_mini_sq` = `pair_mini_sq` + NEW.`pair_mini_sq` - OLD.`pair_mini_sq`,
    `pair_cross` = `pair_cross` + NEW.`pair_cross` - OLD.`pair_cross`
  WHERE `day` = NEW.`day` AND `endpoint` = NEW.`endpoint` AND `model` = NEW.`model` AND `service_tier` = NEW.`service_tier`;
END;--> statement-breakpoint
CREATE TRIGGER `rollup_all_delete` AFTER DELETE ON `rollup`
BEGIN
  UPDATE `rollup_all` SET
    `requests` = `requests` - OLD.`requests`,
    `errors` = `errors` - OLD.`errors`,
    `input_tokens` = `input_tokens` - OLD.`input_tokens`,
    `cached_tokens` = `cached_tokens` - OLD.`cached_tokens`,
    `output_tokens` = `output_tokens` - OLD.`output_tokens`,
    `reasoning_tokens` = `reasoning_tokens` - OLD.`reasoning_tokens`,
    `cache_write_tokens` = `cache_write_tokens` - OLD.`cache_write_tokens`,
    `cost_pico` = `cost_pico` - OLD.`cost_pico`,
    `mini_cost_pico` = `mini_cost_pico` - OLD.`mini_cost_pico`,
    `escalations` = `escalations` - OLD.`escalations`,
    `shadow_requests` = `shadow_requests` - OLD.`shadow_requests`,
    `shadow_cost_pico` = `shadow_cost_pico` - OLD.`shadow_cost_pico`,
    `judged` = `judged` - OLD.`judged`,
    `agreed` = `agreed` - OLD.`agreed`,
    `pairs` = `pairs` - OLD.`pairs`,
    `pair_nano_cost_pico` = `pair_nano_cost_pico` - OLD.`pair_nano_cost_pico`,
    `pair_mini_cost_pico` = `pair_mini_cost_pico` - OLD.`pair_mini_cost_pico`,
    `pair_nano_sq` = `pair_nano_sq` - OLD.`pair_nano_sq`,
    `pair_mini_sq` = `pair_mini_sq` - OLD.`pair_mini_sq`,
    `pair_cross` = `pair_cross` - OLD.`pair_cross`
  WHERE `day` = OLD.`day` AND `endpoint` = OLD.`endpoint` AND `model` = OLD.`model` AND `service_tier` = OLD.`service_tier`;
END;--> statement-breakpoint

-- The days without a complete rollup start from the ledger's sums (prefix_missed_tokens 0 until
-- their check), as the triggers would have kept them.
DELETE FROM `rollup` WHERE `day` NOT IN (SELECT `day` FROM `rollup_days` WHERE `rolled_at` >= (unixepoch(`day`) + 86400) * 1000);--> statement-breakpoint
INSERT INTO `rollup` (`day`, `key_id`, `endpoint`, `model`, `service_tier`, `requests`, `errors`, `input_tokens`, `cached_tokens`, `output_tokens`, `reasoning_tokens`, `cache_write_tokens`, `cost_pico`, `mini_cost_pico`, `escalations`, `shadow_requests`, `shadow_cost_pico`, `judged`, `agreed`, `pairs`, `pair_nano_cost_pico`, `pair_mini_cost_pico`, `pair_nano_sq`, `pair_mini_sq`, `pair_cross`, `prefix_tokens`)
SELECT date(`time` / 1000, 'unixepoch') AS `day`, `key_id`, `endpoint`,
  CASE WHEN `shadow` = 0 THEN `model` ELSE coalesce((SELECT attempt1.`model` FROM `ledger` AS attempt1 WHERE attempt1.`request_id` = `ledger`.`request_id` AND attempt1.`attempt` = 1), `model`) END AS `group_model`,
  CASE WHEN `shadow` = 0 THEN `service_tier` ELSE coalesce((SELECT attempt1.`service_tier` FROM `ledger` AS attempt1 WHERE attempt1.`request_id` = `ledger`.`request_id` AND attempt1.`attempt` = 1), `service_tier`) END AS `group_tier`,
  sum(`shadow` = 0 AND NOT EXISTS (SELECT 1 FROM `ledger` AS later WHERE later.`request_id` = `ledger`.`request_id` AND later.`shadow` = 0 AND later.`attempt` > `ledger`.`attempt`)),
  sum(`shadow` = 0 AND `status` >= 400 AND NOT EXISTS (SELECT 1 FROM `ledger` AS later WHERE later.`request_id` = `ledger`.`request_id` AND later.`shadow` = 0 AND later.`attempt` > `ledger`.`attempt`)),
  sum(CASE WHEN `shadow` = 0 THEN `input_tokens` ELSE 0 END),
  sum(CASE WHEN `shadow` = 0 THEN `cached_tokens` ELSE 0 END),
  sum(CASE WHEN `shadow` = 0 THEN `output_tokens` ELSE 0 END),
  sum(CASE WHEN `shadow` = 0 THEN `reasoning_tokens` ELSE 0 END),
  sum(CASE WHEN `shadow` = 0 THEN `cache_write_tokens` ELSE 0 END),
  sum(CASE WHEN `shadow` = 0 THEN `cost_pico` ELSE 0 END),
  sum(CASE WHEN `shadow` = 0 THEN `mini_cost_pico` ELSE 0 END),
  sum(`shadow` = 0 AND `attempt` > 1 AND `model` = 'gpt-5.4-mini'),
  sum(`shadow` = 1),
  sum(CASE WHEN `shadow` = 1 THEN `cost_pico` ELSE 0 END),
  sum(`shadow` = 1 AND `agreement` IS NOT NULL),
  sum(`shadow` = 1 AND coalesce(`agreement` = 1, 0)),
  sum(`shadow` = 1 AND `pair_cost_pico` IS NOT NULL),
  sum(CASE WHEN `shadow` = 1 THEN coalesce(`pair_cost_pico`, 0) ELSE 0 END),
  sum(CASE WHEN `shadow` = 1 AND `pair_cost_pico` IS NOT NULL THEN `cost_pico` ELSE 0 END),
  total(CASE WHEN `shadow` = 1 THEN cast(`pair_cost_pico` AS real) * cast(`pair_cost_pico` AS real) END),
  total(CASE WHEN `shadow` = 1 AND `pair_cost_pico` IS NOT NULL THEN cast(`cost_pico` AS real) * cast(`cost_pico` AS real) END),
  total(CASE WHEN `shadow` = 1 THEN cast(`pair_cost_pico` AS real) * cast(`cost_pico` AS real) END),
  coalesce(max(CASE WHEN `shadow` = 0 THEN `cached_tokens` END), 0)
FROM `ledger`
WHERE date(`time` / 1000, 'unixepoch') NOT IN (SELECT `day` FROM `rollup_days` WHERE `rolled_at` >= (unixepoch(`day`) + 86400) * 1000)
GROUP BY 1, 2, 3, 4, 5;--> statement-breakpoint

-- rollup_all from scratch, so that it starts equal to rollup's sums.
DELETE FROM `rollup_all`;--> statement-breakpoint
INSERT INTO `rollup_all` (`day`, `endpoint`, `model`, `service_tier`, `requests`, `errors`, `input_tokens`, `cached_tokens`, `output_tokens`, `reasoning_tokens`, `cache_write_tokens`, `cost_pico`, `mini_cost_pico`, `escalations`, `shadow_requests`, `shadow_cost_pico`, `judged`, `agreed`, `pairs`, `pair_nano_cost_pico`, `pair_mini_cost_pico`, `pair_nano_sq`, `pair_mini_sq`, `pair_cross`)
SELECT `day`, `endpoint`, `model`, `service_tier`, sum(`requests`), sum(`errors`), sum(`input_tokens`), sum(`cached_tokens`), sum(`output_tokens`), sum(`reasoning_tokens`), sum(`cache_write_tokens`), sum(`cost_pico`), sum(`mini_cost_pico`), sum(`escalations`), sum(`shadow_requests`), sum(`shadow_cost_pico`), sum(`judged`), sum(`agreed`), sum(`pairs`), sum(`pair_nano_cost_pico`), sum(`pair_mini_cost_pico`), sum(`pair_nano_sq`), sum(`pair_mini_sq`), sum(`pair_cross`)
FROM `rollup` GROUP BY `day`, `endpoint`, `model`, `service_tier`;
