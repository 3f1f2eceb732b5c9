/**
 * The suite's clock. With NANOMETER_TEST_NOW set (an ISO time), every Date of the workers project
 * starts at that time and runs on from there: in the test isolate (the Worker, its Durable Objects
 * and the tests, which share it) and in the simulator's process (test/global-setup.ts). So the
 * suite runs as if on any day: `NANOMETER_TEST_NOW=2028-02-29T23:59:00Z npx vitest run --project
 * workers`. Unset, the real clock. Tests derive their days from this clock (relative to now), or
 * pass the rule under test a fixed time of their own; never a date that the product compares
 * with its own clock.
 *
 * clockOffset: how far NANOMETER_TEST_NOW is from now, in ms ("" for the real clock).
 */
export function clockOffset(startAt: string | undefined): string {
  if (!startAt) return "";
  const target = Date.parse(startAt);
  if (Number.isNaN(target)) throw new Error(`NANOMETER_TEST_NOW is not a time: ${startAt}`);
  return String(target - Date.now());
}

/**
 * Moves this runtime's Date by `offsetMs` (clockOffset's, computed once by vitest.config.mts):
 * one offset for every runtime, so the isolate and the simulator, started seconds apart, agree.
 */
export function shiftClock(offsetMs: string | undefined): void {
  if (!offsetMs) return;
  const offset = Number(offsetMs);
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}
