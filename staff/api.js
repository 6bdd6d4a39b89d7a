// The staff's session and every call the page makes to the API: sign-in through the same managed
// login as the website (tokens come back in the URL fragment), the token kept for this tab only
// (sessionStorage: closing the tab at a shared counter signs out), and reads that never come from
// a cache (the API's own URL, `cache: "no-store"`).
//
// An expired or refused token: API Gateway's JWT authorizer answers 401 WITHOUT CORS headers, so
// on AWS a cross-origin page never sees that 401 — fetch fails as if the network had. So the
// token's `exp` is checked before every signed call (SessionExpired before anything is sent), and
// a signed call that fails without an answer is treated as "the session may have expired" (the
// person is asked to sign in again, and what they typed is kept). Locally the page and the API
// share an origin, and the 401 is seen as such; both lead to the same place.

const TOKEN = "cafe-staff.token";
// The sign-in this tab started: the managed login sends it back beside the tokens, and tokens that
// come without it (a crafted link carrying someone else's, say) are never taken.
const SIGN_IN_STATE = "cafe-staff.sign-in-state";
const SAFETY_SECONDS = 20; // a token this close to its end is treated as ended

export class SessionExpired extends Error {}
export class ApiError extends Error {
  constructor(status, body, message) {
    super(message);
    this.status = status;
    this.body = body;
  }
  get code() { return this.body?.error?.code; }
  get details() { return this.body?.error?.details || []; }
}

export async function loadConfig() {
  const r = await fetch("config.json", { cache: "no-store" });
  if (!r.ok) throw new Error(`the page's settings (config.json) could not be read: HTTP ${r.status}`);
  return r.json();
}

/** The page's own address without file or fragment: the callback registered for it. */
export function pageUrl() {
  return new URL("./", location.href).href;
}

/** Takes the tokens the managed login sent back in the fragment, if they answer the sign-in this
 * tab started (its `state`), and clears the address bar: "signed-in", "refused", or null when the
 * address carries no tokens. */
export function takeTokensFromFragment() {
  if (!location.hash.includes("id_token=")) return null;
  const fields = new URLSearchParams(location.hash.slice(1));
  const started = sessionStorage.getItem(SIGN_IN_STATE);
  sessionStorage.removeItem(SIGN_IN_STATE);
  history.replaceState(null, "", location.pathname + location.search);
  if (!started || fields.get("state") !== started) return "refused";
  sessionStorage.setItem(TOKEN, fields.get("id_token"));
  return "signed-in";
}

export function claims(token = sessionStorage.getItem(TOKEN)) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch {
    return null;
  }
}

/** Seconds the session has left (0 when there is none or it has ended). */
export function secondsLeft() {
  const c = claims();
  if (!c || typeof c.exp !== "number") return 0;
  return Math.max(0, Math.floor(c.exp - Date.now() / 1000 - SAFETY_SECONDS));
}

export function signedInAs() {
  const c = claims();
  return c ? c["cognito:username"] || c.email || c.sub : null;
}

/** The managed login's address for a new sign-in, whose `state` this tab keeps to check the
 * answer by. */
export function signInUrl(config) {
  const state = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  sessionStorage.setItem(SIGN_IN_STATE, state);
  const q = new URLSearchParams({ client_id: config.client_id, response_type: "token",
    scope: "openid email profile", redirect_uri: pageUrl(), state });
  return `${config.login_url}?${q}`;
}

export function signOutUrl(config) {
  const q = new URLSearchParams({ client_id: config.client_id, logout_uri: pageUrl() });
  return `${config.logout_url}?${q}`;
}

export function forgetSession() {
  sessionStorage.removeItem(TOKEN);
}

export class Api {
  constructor(config) {
    this.base = config.api_url.replace(/\/$/, "");
  }

  /** One call: `{ status, body, headers }` for a 2xx; ApiError or SessionExpired otherwise. `body` is
   * sent as JSON; `raw` (a file, say) as it is, still as application/json. */
  async call(method, path, { body, raw, ifMatch, ifNoneMatch, signed = true, expect = [] } = {}) {
    const headers = {};
    if (signed) {
      if (secondsLeft() <= 0) throw new SessionExpired("Your session has ended.");
      headers.authorization = `Bearer ${sessionStorage.getItem(TOKEN)}`;
    }
    if (body !== undefined || raw !== undefined) headers["content-type"] = "application/json";
    if (ifMatch !== undefined) headers["if-match"] = `"${ifMatch}"`;
    if (ifNoneMatch !== undefined) headers["if-none-match"] = ifNoneMatch;
    let r;
    try {
      r = await fetch(this.base + path, { method, headers, cache: "no-store",
        body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      // No answer at all: on AWS, what a refused token looks like from here (see the top).
      if (signed) throw new SessionExpired("The API did not answer: your session may have ended.");
      throw new ApiError(0, null, "The menu could not be reached. Check the connection and try again.");
    }
    const text = await r.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
    if (r.status === 401) throw new SessionExpired("The API refused your sign-in: it has ended.");
    if (r.ok || expect.includes(r.status)) return { status: r.status, body: parsed, headers: r.headers };
    const message = parsed?.error?.message || parsed?.message || `HTTP ${r.status}`;
    throw new ApiError(r.status, parsed, message);
  }

  /** The whole menu, page by page (pages are never answered from a cache). */
  async menu(onPage) {
    const products = [];
    let cursor = "";
    do {
      const { body } = await this.call("GET", `/products?limit=1000&cursor=${encodeURIComponent(cursor)}`, { signed: false });
      products.push(...body.product_item_arr);
      if (onPage) onPage(products.length);
      cursor = body.next_cursor || "";
    } while (cursor);
    return products;
  }

  /** One product as stored now, or null when there is none. */
  async product(name) {
    const { status, body } = await this.call("GET", `/products/${encodeURIComponent(name)}`, { signed: false, expect: [404] });
    return status === 404 ? null : body;
  }

  change(product, version) {
    return this.call("PUT", `/products/${encodeURIComponent(product.product_name_str)}`,
      { body: wireForm(product), ifMatch: version });
  }

  add(product) {
    return this.call("POST", "/products", { body: wireForm(product) });
  }

  remove(name, version) {
    return this.call("DELETE", `/products/${encodeURIComponent(name)}`, { ifMatch: version });
  }

  /** A page of the history, newest first: one product's changes, or the whole menu's when `name`
   * is null. `{ changes, next_cursor }` (no next_cursor on the last page). */
  async history(name, cursor = "", limit = 20) {
    const path = name === null ? "/history" : `/products/${encodeURIComponent(name)}/history`;
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set("cursor", cursor);
    const { body } = await this.call("GET", `${path}?${q}`);
    if (!Array.isArray(body?.changes)) throw new ApiError(200, body, "the history's answer could not be read");
    return body;
  }

  /** The product put back as it was at `toVersion`, written over `version` (its version on the menu
   * now), or restored when `version` is null (no longer on the menu: If-None-Match: *). */
  revert(name, toVersion, version) {
    return this.call("POST", `/products/${encodeURIComponent(name)}/revert`, { body: { to_version: toVersion },
      ...(version === null ? { ifNoneMatch: "*" } : { ifMatch: version }) });
  }

  /** A presigned upload for a file of exactly `size` bytes (S3 refuses any other size). */
  uploadTicket(fileName, size) {
    return this.call("POST", "/menu_files", { body: { file_name_str: fileName, size_int: size } });
  }

  /** What loading a menu file would do to the menu now, nothing written: `{ report, would_insert,
   * conflicts, read_units }`, or null when the API answers 413 (too large to preview). The file's
   * own bytes are sent, not re-serialized: the API judges them as the loader would, a file that is
   * not JSON at all included. */
  async preview(file) {
    const { status, body } = await this.call("POST", "/menu_files/preview", { raw: file, expect: [413] });
    if (status === 413) return null;
    if (!body?.report?.outcome) throw new ApiError(status, body, "the preview's answer could not be read");
    return body;
  }

  /** The load of that upload of the file taken back: `{ removed, kept, gone, not_this_loads }`. */
  async undoLoad(fileName, upload) {
    const q = new URLSearchParams({ upload });
    const { body } = await this.call("POST", `/menu_files/${encodeURIComponent(fileName)}/undo?${q}`, { body: {} });
    if (!Array.isArray(body?.removed)) throw new ApiError(200, body, "the undo's answer could not be read");
    return body;
  }

  /** The load report at a ticket's report path (that upload's), or null when there is none yet. */
  async report(path) {
    const { status, body } = await this.call("GET", path, { expect: [404] });
    return status === 404 ? null : body;
  }
}

/** A product as the API takes it (no version: that goes in If-Match). */
function wireForm(p) {
  const out = { product_name_str: p.product_name_str, product_id_str: p.product_id_str,
    price_in_cents_int: p.price_in_cents_int, description_str: p.description_str, tag_str_arr: p.tag_str_arr };
  if (p.special_int === 1) out.special_int = 1;
  return out;
}

/** PUT of a file to a presigned URL with progress, with the headers the URL was signed for (a
 * content type, or every header by name): resolves to the answer's version id. */
export function putFile(url, file, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    const signed = typeof headers === "string" ? { "content-type": headers } : headers;
    for (const [name, value] of Object.entries(signed)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.getResponseHeader("x-amz-version-id"));
      else reject(new Error(`the bucket refused the file (HTTP ${xhr.status}); nothing was written`));
    };
    xhr.onerror = () => reject(new Error("the file could not be sent (the connection failed, or the upload link " +
      "had expired); nothing was written — try again"));
    xhr.send(file);
  });
}
