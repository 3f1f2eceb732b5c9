import { z } from "zod";
import { endUserText, TAG_PART } from "../attribution/tags";
import { badRequest } from "../errors";
import type { AttributionQuery, Dimension } from "./dimension";
import { GROUPS, type Group } from "./spend";

const PLAIN = GROUPS.filter((g) => g !== "tag" && g !== "user");
const GROUP_NAMES = [...PLAIN, "user", "tag:<name>"].join(", ");
const GROUP_HELP = `use any of ${GROUP_NAMES}, comma-separated`;

/** `tag=`, on GET /v1/spend and /v1/spend/requests. */
export const tagFilterDescription = "Only the calls with this tag: `<name>:<value>`, or `<name>=<value>` for a name that holds a colon";
/** `user=`, on the same two. */
export const userFilterDescription = "Only the calls for this end user";

/** The spend API's attribution parameters: `group_by` with `tag:<name>` and `user`, the filters `tag` and `user`. */
export const attributionParams = {
  group_by: z
    .string()
    .default("day")
    .meta({ description: `Comma-separated, any of ${GROUP_NAMES} (one tag name a query)` }),
  tag: z.string().max(200).optional().meta({ description: tagFilterDescription }),
  user: endUserText.min(1).optional().meta({ description: userFilterDescription }),
};

/** A group as an answer's `group_by` names it: `tag:<name>` for a tag's. */
export const groupNameSchema = z.union([z.enum(GROUPS).exclude(["tag"]), z.templateLiteral(["tag:", z.string()])]);

/** The pattern of a tag's column in a spend row (groupColumn). */
export const TAG_COLUMN = "^tag:";

/** `group_by`: its groups in GROUPS order, and the tag name when one is `tag:<name>`. */
function parseGroupBy(value: string): { groupBy: Group[]; tagName?: string } {
  const groups = new Set<Group>();
  const tagNames = new Set<string>();
  for (const g of value.split(",").map((s) => s.trim())) {
    const tagName = /^tag:(.*)$/.exec(g)?.[1];
    if (tagName !== undefined) {
      if (!TAG_PART.test(tagName)) throw badRequest(`group_by: ${JSON.stringify(g)} names no tag: a name is 1 to 64 of A-Z a-z 0-9 _ . : -`, "group_by");
      tagNames.add(tagName);
      groups.add("tag");
    } else if ((GROUPS as readonly string[]).includes(g) && g !== "tag") groups.add(g as Group);
    else throw badRequest(`group_by: ${GROUP_HELP}`, "group_by");
  }
  if (tagNames.size > 1) throw badRequest(`group_by: one tag name per query (${[...tagNames].join(", ")}): tags are rolled up one name at a time`, "group_by");
  return { groupBy: GROUPS.filter((g) => groups.has(g)), tagName: [...tagNames][0] };
}

/** `tag=<name>:<value>`, or `tag=<name>=<value>` for a name that holds a colon. */
export function parseTagFilter(value: string): { name: string; value: string } {
  const at = value.includes("=") ? value.indexOf("=") : value.indexOf(":");
  const [name, tagValue] = [value.slice(0, at), value.slice(at + 1)];
  if (at < 0 || !TAG_PART.test(name) || !TAG_PART.test(tagValue)) {
    throw badRequest(`tag: ${JSON.stringify(value)} is not <name>:<value>, each 1 to 64 of A-Z a-z 0-9 _ . : -`, "tag");
  }
  return { name, value: tagValue };
}

const same = (a: Dimension, b: Dimension) => a.kind === b.kind && (a.kind === "user" || a.name === (b as typeof a).name);
const describe = (d: Dimension) => (d.kind === "tag" ? `tag ${d.name}` : "the end user");

/**
 * The groups and the one attribution dimension of a spend query. Grouping by one dimension and
 * filtering on another (or two of either) would need their joint spend, which the rollups do not
 * keep: a 400 that says so, rather than an answer that is exact only on live days.
 */
export function spendGroups(q: { group_by: string; tag?: string | undefined; user?: string | undefined }): { groupBy: Group[]; attribution?: AttributionQuery } {
  const { groupBy, tagName } = parseGroupBy(q.group_by);
  const filter = q.tag !== undefined ? parseTagFilter(q.tag) : undefined;
  const uses: [Dimension, string][] = [];
  if (tagName !== undefined) uses.push([{ kind: "tag", name: tagName }, "group_by"]);
  if (groupBy.includes("user")) uses.push([{ kind: "user" }, "group_by"]);
  if (filter) uses.push([{ kind: "tag", name: filter.name }, "tag"]);
  if (q.user !== undefined) uses.push([{ kind: "user" }, "user"]);
  const [first, ...others] = uses;
  if (!first) return { groupBy };
  const other = others.find(([d]) => !same(d, first[0]));
  if (other) {
    throw badRequest(
      `${other[1]}: ${describe(other[0])} with ${describe(first[0])} in one query needs their joint spend, which the rollups do not keep (each tag name and the end user are rolled up apart); group by or filter on one of them`,
      other[1],
    );
  }
  return { groupBy, attribution: { dimension: first[0], only: filter?.value ?? q.user } };
}

/** The JSON and CSV name of a group column: `key_id`, `service_tier`, `end_user`, `tag:<name>`. */
export function groupColumn(g: Group, tagName?: string): string {
  if (g === "tag") return `tag:${tagName}`;
  return ({ key: "key_id", tier: "service_tier", user: "end_user" } as Partial<Record<Group, string>>)[g] ?? g;
}
