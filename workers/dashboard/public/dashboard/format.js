// Number formats for the dashboard: USD readable down to a single nano call, fixed en-US.

const usdFormats = {
  large: new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  cents: new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 4 }),
  tiny: new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumSignificantDigits: 3 }),
};
// Every digit the API sends (pico-dollars), but never more than a double holds (15 significant).
const exactFormat = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 12,
  maximumSignificantDigits: 15,
  roundingPriority: "lessPrecision",
});
const countFormat = new Intl.NumberFormat("en-US");
const percentFormat = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** $1,234.57 from one dollar up; $0.1234 from a cent; below that 3 significant digits, $0.000295. */
export function usd(value) {
  const abs = Math.abs(value);
  if (abs === 0) return "$0.00";
  return (abs >= 1 ? usdFormats.large : abs >= 0.01 ? usdFormats.cents : usdFormats.tiny).format(value);
}

const SIGNIFICANT = 3;
const MAX_DECIMALS = 12; // the API's exactness, a pico-dollar

/**
 * The decimals amounts shown together take, as the `nanometer` command's tables do: at least 2,
 * and as many more as the smallest non-zero of `values` needs for 3 significant digits.
 */
export function moneyDecimals(values) {
  const amounts = values.filter((v) => typeof v === "number" && v !== 0).map(Math.abs);
  if (amounts.length === 0) return 2;
  const leading = Math.floor(Math.log10(Math.min(...amounts))); // 0.000135: -4
  return Math.min(MAX_DECIMALS, Math.max(2, SIGNIFICANT - 1 - leading));
}

const fixedFormats = new Map();

/** USD with exactly `decimals` decimals, "$1,234.5000" beside "$0.0115". */
export function usdFixed(decimals) {
  if (!fixedFormats.has(decimals)) {
    const format = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    fixedFormats.set(decimals, (value) => format.format(value));
  }
  return fixedFormats.get(decimals);
}

/** The amount to the pico-dollar the API keeps, as far as a double carries it: the cell's tooltip. */
export const exactUsd = (value) => exactFormat.format(value);

export const count = (value) => countFormat.format(value);

/** A 0..1 ratio as a percent; a dash when there is nothing to divide. */
export const percent = (value) => (Number.isFinite(value) ? percentFormat.format(value) : "—");

/** saved / mini: how much less nano cost than mini would have, for the same tokens. */
export const savingRatio = (m) => (m.mini_cost_usd > 0 ? m.saved_usd / m.mini_cost_usd : NaN);

/** A figure the samples could not support (null) as a dash, else `format`ted. */
export const orDash = (format) => (value) => (value === null || value === undefined ? "—" : format(value));

/** A 95% interval, "49.0–94.3%" or "$0.0012–$0.0015"; empty when there is none. */
export const interval = (low, high, format) => (low === null || high === null ? "" : `${format(low)}–${format(high)}`);
