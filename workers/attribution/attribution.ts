import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { validate } from "../http/body";
import { canonicalTags, endUserText, MAX_END_USER, MAX_TAGS, mergeTags, parseTagsHeader, parseUserHeader, TAG_RULE, TAGS_HEADER, type Tags, tagsObject, USER_HEADER } from "./tags";

/** Whom a call's spend is attributed to, beyond its key: its tags and its end user. */
export interface Attribution {
  tags: Tags;
  endUser: string | null;
}

export const NO_ATTRIBUTION: Attribution = { tags: {}, endUser: null };

/**
 * The two headers as the document lists them on the calls that are billed. They are read by
 * readAttribution, not by a route's request check: every /v1 call may send them.
 */
export const attributionHeaders = z.object({
  [TAGS_HEADER]: z.string().optional().meta({
    description: `Tags for the spend API: comma-separated name=value pairs (at most ${MAX_TAGS}, each name and value ${TAG_RULE}), such as feature=autocomplete,team=search; never sent upstream`,
  }),
  [USER_HEADER]: z.string().optional().meta({
    description: `The end user the call is for (at most ${MAX_END_USER} characters, no control characters), before the body's; never sent upstream`,
  }),
});

/** Reads x-nanometer-tags and x-nanometer-user once per /v1 call, after authentication; a bad one is a 400 naming it. */
export const readAttribution: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("attribution", { tags: parseTagsHeader(c.req.header(TAGS_HEADER)), endUser: parseUserHeader(c.req.header(USER_HEADER)) });
  await next();
};

const endUserFields = z.object({ safety_identifier: endUserText.nullish(), user: endUserText.nullish() });
const tagsField = z.object({ tags: tagsObject.optional() });

/** The end user an OpenAI body names: `safety_identifier`, else `user` (an empty one is none). */
export function endUserOfBody(body: unknown): string | null {
  const { safety_identifier, user } = validate(endUserFields, body);
  return safety_identifier || user || null;
}

/**
 * What one body says on its own, such as a batch's line: its `tags` (an object, as task bodies
 * send them) and its end user (endUserOfBody). A bad field is a 400 naming it.
 */
export function attributionOfBody(body: unknown): Attribution {
  return { tags: validate(tagsField, body).tags ?? {}, endUser: endUserOfBody(body) };
}

/**
 * Adds what the call's body says to what its headers said, before its meter opens: tags merged
 * (a name both give with two values is a 400), the header's end user before the body's.
 */
export function attributeBody(c: Context<AppEnv>, body: Attribution): void {
  const header = c.get("attribution");
  c.set("attribution", { tags: mergeTags(header.tags, body.tags), endUser: header.endUser ?? body.endUser });
}

/** The ledger row's columns. */
export const attributionColumns = (a: Attribution) => ({ tags: canonicalTags(a.tags), endUser: a.endUser });
