// The dashboard's one way to the API. The token lives only in `token` below, in this page's
// memory: never stored, never put in a URL, sent only as `Authorization: Bearer`.
let token = null;

export const setToken = (value) => (token = value);
export const hasToken = () => token !== null;

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GET `path` with the token and `query` (undefined and "" values left out); an ApiError when it is not a 2xx. */
export async function get(path, query = {}) {
  const params = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== undefined && value !== ""));
  const res = await fetch(`${path}?${params}`, { headers: { authorization: `Bearer ${token}` } });
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
