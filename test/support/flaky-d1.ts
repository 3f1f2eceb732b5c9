/**
 * The real D1, whose ledger inserts fail when run: the first `failures` times, and whenever
 * `down()` says D1 is down (an outage). As a write fails in production: at execution, whether
 * run alone or in a batch, not when it is built.
 */
export function flakyD1(real: D1Database, failures: number, down: () => boolean = () => false): D1Database & { failed: () => number } {
  let failed = 0;
  const fail = () => {
    if (failed < failures || down()) {
      failed++;
      throw new Error("D1_ERROR: injected failure");
    }
  };
  const realOf = new WeakMap<D1PreparedStatement, D1PreparedStatement>();
  const flaky = (statement: D1PreparedStatement): D1PreparedStatement => {
    const wrapped = new Proxy(statement, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => flaky(target.bind(...values));
        if (prop === "run" || prop === "all" || prop === "raw" || prop === "first") {
          return async (...args: unknown[]) => {
            fail();
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    realOf.set(wrapped, statement);
    return wrapped;
  };
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "failed") return () => failed;
      if (prop === "prepare") {
        return (query: string) => (/^insert into "ledger"/i.test(query) ? flaky(target.prepare(query)) : target.prepare(query));
      }
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          if (statements.some((s) => realOf.has(s))) fail();
          return target.batch(statements.map((s) => realOf.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as D1Database & { failed: () => number };
}
