-- The mini projection of an escalated request is its mini attempt alone (workers/metering/cost.ts
-- miniProjection): asked of mini directly, the attempts before it on another model would not have
-- happened. Rows written before this priced those attempts at mini too; this puts them right, with
-- every sum kept from them, exactly: the moot attempts are found once, their projection is taken
-- off each rollup group they were added to (rollup_all and rollup_all_tiers follow rollup's
-- triggers), then set to 0 in the ledger. Days whose ledger rows retention already deleted keep
-- the projection they were summed with.

-- A request's own attempts on another model than mini, when its first attempt was not on mini and a later one was.
CREATE TABLE `escalation_moot` AS
SELECT DISTINCT l.`id`, date(l.`time` / 1000, 'unixepoch') AS `day`, l.`key_id`, l.`endpoint`, l.`model`, l.`service_tier`,
  l.`tags`, l.`end_user`, l.`mini_cost_pico` AS `moot`
FROM `ledger` AS m JOIN `ledger` AS l ON l.`request_id` = m.`request_id`
WHERE m.`shadow` = 0 AND m.`model` = 'gpt-5.4-mini' AND m.`attempt` > 1
  AND l.`shadow` = 0 AND l.`model` <> 'gpt-5.4-mini' AND l.`mini_cost_pico` <> 0
  AND EXISTS (SELECT 1 FROM `ledger` AS f WHERE f.`request_id` = l.`request_id` AND f.`attempt` = 1 AND f.`shadow` = 0 AND f.`model` <> 'gpt-5.4-mini');
--> statement-breakpoint

UPDATE `rollup` SET `mini_cost_pico` = `rollup`.`mini_cost_pico` - d.`moot`
FROM (SELECT `day`, `key_id`, `endpoint`, `model`, `service_tier`, sum(`moot`) AS `moot` FROM `escalation_moot` GROUP BY 1, 2, 3, 4, 5) AS d
WHERE `rollup`.`day` = d.`day` AND `rollup`.`key_id` = d.`key_id` AND `rollup`.`endpoint` = d.`endpoint`
  AND `rollup`.`model` = d.`model` AND `rollup`.`service_tier` = d.`service_tier`;
--> statement-breakpoint

-- The attribution rollups (written by the daily check): each tag value's row, and per tag name of
-- the day the row of calls without it ('').
UPDATE `rollup_tags` SET `mini_cost_pico` = `rollup_tags`.`mini_cost_pico` - d.`moot`
FROM (SELECT e.`day`, t.`key` AS `tag_name`, t.`value` AS `tag_value`, e.`key_id`, e.`endpoint`, e.`model`, e.`service_tier`, sum(e.`moot`) AS `moot`
      FROM `escalation_moot` AS e, json_each(e.`tags`) AS t WHERE e.`tags` IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7) AS d
WHERE `rollup_tags`.`day` = d.`day` AND `rollup_tags`.`tag_name` = d.`tag_name` AND `rollup_tags`.`tag_value` = d.`tag_value`
  AND `rollup_tags`.`key_id` = d.`key_id` AND `rollup_tags`.`endpoint` = d.`endpoint` AND `rollup_tags`.`model` = d.`model`
  AND `rollup_tags`.`service_tier` = d.`service_tier`;
--> statement-breakpoint
UPDATE `rollup_tags` SET `mini_cost_pico` = `rollup_tags`.`mini_cost_pico` - d.`moot`
FROM (SELECT e.`day`, n.`tag_name`, e.`key_id`, e.`endpoint`, e.`model`, e.`service_tier`, sum(e.`moot`) AS `moot`
      FROM `escalation_moot` AS e JOIN (SELECT DISTINCT `day`, `tag_name` FROM `rollup_tags`) AS n ON n.`day` = e.`day`
      WHERE NOT EXISTS (SELECT 1 FROM json_each(coalesce(e.`tags`, '{}')) AS t WHERE t.`key` = n.`tag_name`)
      GROUP BY 1, 2, 3, 4, 5, 6) AS d
WHERE `rollup_tags`.`tag_value` = '' AND `rollup_tags`.`day` = d.`day` AND `rollup_tags`.`tag_name` = d.`tag_name`
  AND `rollup_tags`.`key_id` = d.`key_id` AND `rollup_tags`.`endpoint` = d.`endpoint` AND `rollup_tags`.`model` = d.`model`
  AND `rollup_tags`.`service_tier` = d.`service_tier`;
--> statement-breakpoint

-- Each end user's row, and on a day with end users the row of calls without one ('').
UPDATE `rollup_users` SET `mini_cost_pico` = `rollup_users`.`mini_cost_pico` - d.`moot`
FROM (SELECT `day`, coalesce(`end_user`, '') AS `end_user`, `key_id`, `endpoint`, `model`, `service_tier`, sum(`moot`) AS `moot`
      FROM `escalation_moot` GROUP BY 1, 2, 3, 4, 5, 6) AS d
WHERE `rollup_users`.`day` = d.`day` AND `rollup_users`.`end_user` = d.`end_user` AND `rollup_users`.`key_id` = d.`key_id`
  AND `rollup_users`.`endpoint` = d.`endpoint` AND `rollup_users`.`model` = d.`model` AND `rollup_users`.`service_tier` = d.`service_tier`;
--> statement-breakpoint
UPDATE `rollup_user_days` SET `mini_cost_pico` = `rollup_user_days`.`mini_cost_pico` - d.`moot`
FROM (SELECT `day`, `key_id`, `end_user`, sum(`moot`) AS `moot` FROM `escalation_moot` WHERE `end_user` IS NOT NULL GROUP BY 1, 2, 3) AS d
WHERE `rollup_user_days`.`day` = d.`day` AND `rollup_user_days`.`key_id` = d.`key_id` AND `rollup_user_days`.`end_user` = d.`end_user`;
--> statement-breakpoint

UPDATE `ledger` SET `mini_cost_pico` = 0 WHERE `id` IN (SELECT `id` FROM `escalation_moot`);
--> statement-breakpoint
DROP TABLE `escalation_moot`;
