import { z } from "zod";

/** A UTC day is YYYY-MM-DD, the span [Date.UTC(day), +DAY_MS) of epoch milliseconds. */
export const DAY_MS = 86_400_000;

export const dayStartMs = (day: string): number => Date.parse(`${day}T00:00:00.000Z`);

export const dayOf = (timeMs: number): string => new Date(timeMs).toISOString().slice(0, 10);

export const addDays = (day: string, n: number): string => dayOf(dayStartMs(day) + n * DAY_MS);

/** A real calendar day (2026-02-30 is refused), as a query or body field. */
export const daySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a UTC date, YYYY-MM-DD")
  .refine((d) => !Number.isNaN(dayStartMs(d)) && dayOf(dayStartMs(d)) === d, "not a real date");
