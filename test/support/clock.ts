/**
 * The suite's clock. With NANOMETER_TEST_NOW set (an ISO time), every Date of the workers project
 * starts at that time and runs on from there: in the test isolate (the Worker, its Durable Objects
 * and the tests, which share it) and in the simulator's process (test/global-setup.ts). So the
 * suite runs as if on any day: `NANOMETER_TEST_NOW=2028-02-29T23:59:00Z npx vitest run --project
 * workers`. Unset, the real clock. Tests derive their days from this clock (relative to now), or
 * pass the rule under test a fixed time of their own; never a date that the product compares
 * with its own clock.
 */
export function shiftClock(startAt: string | undefined): void {
  if (!startAt) return;
  const target = Date.parse(startAt);
  if (Number.isNaN(target)) throw new Error(`NANOMETER_TEST_NOW is not a time: ${startAt}`);
  const RealDate = Date;
  const offset = target - RealDate.now();
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
