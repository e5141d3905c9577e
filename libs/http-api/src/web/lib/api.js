// The API client: the bearer token lives in sessionStorage (this tab only); every call sends
// it, and a 401 ends the session (the app then shows the login screen with the reason).

const TOKEN_KEY = 'rasoat.token';

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  cache.clear();
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  cache.clear();
}

/** The token's claims ({ sub, role, unit, name?, iat, exp }), read without verifying (the server does). */
export function decodeToken(token) {
  const parts = (token ?? '').split('.');
  if (parts.length !== 3) return null;
  try {
    const binary = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    return claims && typeof claims.role === 'string' && typeof claims.unit === 'string' ? claims : null;
  } catch {
    return null;
  }
}

export const currentActor = () => decodeToken(getToken());

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? `HTTP_${status}`;
    this.details = body?.error?.details ?? {};
    this.body = body;
  }
}

/** Calls the API; resolves with the JSON body, rejects with an ApiError. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { error: { code: 'NETWORK', message: e instanceof Error ? e.message : String(e) } });
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (res.status === 401) {
    clearToken();
    window.dispatchEvent(new CustomEvent('rasoat:unauthenticated', { detail: data?.error?.message ?? 'HTTP 401' }));
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// Read-mostly data (definitions, units) shared by the views while the token stays the same.
const cache = new Map();

export function cached(path) {
  if (!cache.has(path)) {
    const pending = api(path).catch((e) => {
      cache.delete(path);
      throw e;
    });
    cache.set(path, pending);
  }
  return cache.get(path);
}

export const definition = (key) => cached(`/api/definitions/${encodeURIComponent(key)}`);

export function forget(prefix) {
  for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
}

/** Names of units seen so far (breadcrumbs), filled from every unit list the views load. */
export const unitNames = new Map();

export function rememberUnits(units) {
  for (const u of units ?? []) if (u?.code && u.name) unitNames.set(u.code, { name: u.name, level: u.level });
}
