// The dashboard's one way to the API. The token is kept in this tab's sessionStorage, so that a
// reload keeps the user signed in; closing the tab or signing out drops it. It is never put in a
// URL, and sent only as `Authorization: Bearer`.
const STORED = "nanometer-token";

/** Keeps `value` for this tab; null forgets it. */
export const setToken = (value) => (value === null ? sessionStorage.removeItem(STORED) : sessionStorage.setItem(STORED, value));
export const hasToken = () => sessionStorage.getItem(STORED) !== null;

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GET `path` with the token and `query` (undefined and "" values left out); an ApiError when it is not a 2xx. */
export async function get(path, query = {}) {
  const params = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== undefined && value !== ""));
  const res = await fetch(`${path}?${params}`, { headers: { authorization: `Bearer ${sessionStorage.getItem(STORED)}` } });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new ApiError(res.status, body?.error?.message ?? `the gateway answered ${res.status}`);
  }
  return res;
}

/** What a failed call says on the page. */
export const failureText = (err) =>
  err instanceof ApiError ? `The spend API answered ${err.status}: ${err.message}.` : `Could not reach the spend API: ${err.message}.`;

/**
 * For loads that may overlap: each call of the returned `begin` starts a load and gives it a
 * `fresh()` that stays true until the next `begin`, so only the latest load renders.
 */
export function latest() {
  let current = 0;
  return () => {
    const mine = ++current;
    return () => mine === current;
  };
}
