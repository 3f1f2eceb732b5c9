import { z } from "zod";
import { badRequest } from "../errors";

/** A call's tags, name → value. */
export type Tags = Record<string, string>;

/** Tags without a prototype, so a tag named `__proto__` is set like any other, not swallowed by the setter. */
const noTags = (): Tags => Object.create(null);

export const MAX_TAGS = 10;
/** What a tag name and a tag value are made of (SPEC: Attribution). */
export const TAG_PART = /^[A-Za-z0-9_.:-]{1,64}$/;
export const TAG_RULE = "1 to 64 of A-Z a-z 0-9 _ . : -";
/** An end user is the caller's own identifier: any text but control characters, up to this long. */
export const MAX_END_USER = 256;
const CONTROL = /[\u0000-\u001f\u007f]/;

export const TAGS_HEADER = "x-nanometer-tags";
export const USER_HEADER = "x-nanometer-user";

const quoted = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);

/** What is wrong with one name=value pair, or null. */
function tagProblem(name: string, value: string): string | null {
  if (!TAG_PART.test(name)) return `tag name ${quoted(name)} is not ${TAG_RULE}`;
  if (!TAG_PART.test(value)) return `tag ${name}'s value ${quoted(value)} is not ${TAG_RULE}`;
  return null;
}

const tooMany = (names: string[]) => `at most ${MAX_TAGS} tags, not ${names.length} (${names.join(", ")})`;

/**
 * `tags` in a task body: an object of name → value, checked as the header is. Read as given, not
 * rebuilt by z.record, which leaves out a key named `__proto__` without a word.
 */
export const tagsObject = z
  .custom<Tags>((raw) => typeof raw === "object" && raw !== null && !Array.isArray(raw), "tags must be an object of name → value")
  .superRefine((tags, ctx) => {
    const names = Object.keys(tags);
    if (names.length > MAX_TAGS) ctx.addIssue({ code: "custom", message: tooMany(names) });
    for (const [name, value] of Object.entries(tags as Record<string, unknown>)) {
      const problem = typeof value === "string" ? tagProblem(name, value) : `tag ${name}'s value must be a string`;
      if (problem) ctx.addIssue({ code: "custom", path: [name], message: problem });
    }
  })
  .meta({ type: "object", additionalProperties: { type: "string" } });

/** An end user as a body sends it (`user`, `safety_identifier`): empty means none. */
export const endUserText = z
  .string()
  .max(MAX_END_USER, `an end user is at most ${MAX_END_USER} characters`)
  .refine((s) => !CONTROL.test(s), "an end user holds no control characters");

/**
 * `x-nanometer-tags: feature=autocomplete,team=search`: comma-separated name=value pairs, spaces
 * around them ignored, each name once. Every bad pair is named in one 400.
 */
export function parseTagsHeader(header: string | undefined): Tags {
  if (header === undefined || header.trim() === "") return {};
  const pairs = header.split(",");
  const tags = noTags();
  const problems = pairs.length > MAX_TAGS ? [tooMany(pairs.map((pair) => pair.split("=")[0]!.trim()))] : [];
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
    if (eq < 0) problems.push(`${quoted(pair.trim())} is not name=value`);
    else if (Object.hasOwn(tags, name)) problems.push(`tag ${quoted(name)} is given twice`);
    else {
      const problem = tagProblem(name, value);
      if (problem) problems.push(problem);
      else tags[name] = value;
    }
  }
  if (problems.length) throw badRequest(`${TAGS_HEADER}: ${problems.join("; ")}`, TAGS_HEADER);
  return tags;
}

/** `x-nanometer-user`: trimmed; empty means none. */
export function parseUserHeader(header: string | undefined): string | null {
  const user = header?.trim() ?? "";
  if (user === "") return null;
  const checked = endUserText.safeParse(user);
  if (!checked.success) throw badRequest(`${USER_HEADER}: ${checked.error.issues[0]?.message}`, USER_HEADER);
  return user;
}

/**
 * One call's tags from its header and its body: together at most MAX_TAGS, and a name both give
 * must have the same value in both (a conflict is refused, never silently resolved).
 */
export function mergeTags(header: Tags, body: Tags): Tags {
  const merged = Object.assign(noTags(), header);
  for (const [name, value] of Object.entries(body)) {
    if (Object.hasOwn(header, name) && header[name] !== value) {
      throw badRequest(`tags.${name}: the body says ${quoted(value)}, ${TAGS_HEADER} says ${quoted(header[name]!)}`, `tags.${name}`);
    }
    merged[name] = value;
  }
  const names = Object.keys(merged);
  if (names.length > MAX_TAGS) throw badRequest(`tags: with ${TAGS_HEADER}, ${tooMany(names)}`, "tags");
  return merged;
}

/** The ledger's form: JSON with the names sorted (one spelling per set of tags), or null for none. */
export function canonicalTags(tags: Tags): string | null {
  const names = Object.keys(tags).sort();
  return names.length ? JSON.stringify(Object.fromEntries(names.map((n) => [n, tags[n]]))) : null;
}
