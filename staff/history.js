// The menu's history: a product's changes (its row's History button, a dialog) and the whole
// menu's recent changes (a view of its own), newest first, each in people's words (when, who,
// each field before → after), with an undo that puts the product back as it was after that
// change. An undo is a revert written at the version the table shows (If-Match), or, for a
// product no longer on the menu, only if it is still not there (If-None-Match: *): a change made
// since is never undone blindly; the API answers 412 and the page shows the history as it is now.
import { ApiError, SessionExpired } from "./api.js";
import { formatCents } from "./price.js";

const $ = (id) => document.getElementById(id);
const PAGE = 20;
// The history is written from the table's stream a second or two after each write: a change the
// table already shows is looked for again for this long (the list shown meanwhile).
const CATCH_UP_MS = 12000;
const CATCH_UP_POLL_MS = 1000;

// A field as the API names it (with or without its type suffix) in people's words.
const LABELS = { product_id: "Id", price_in_cents: "Price", description: "Description", tag: "Tags", tags: "Tags",
  special: "Special" };
const fieldKey = (field) => field.replace(/(_str_arr|_str|_int|_arr)$/, "");

/** A field's value as people read it: $4.50, yes/no, "bakery, out of stock", (none). */
export function valueText(field, v) {
  const key = fieldKey(field);
  if (v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length)) return key === "special" ? "no" : "(none)";
  if (key === "price_in_cents" && Number.isInteger(v)) return formatCents(v);
  if (key === "special") return v === 1 || v === true ? "yes" : "no";
  if (Array.isArray(v)) return v.join(", ");
  if (key === "description") return `“${v}”`;
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** One field of a change: "Price: $4.50 → $45.00"; an added product's "Price: $4.50". */
export function fieldText(f, kind) {
  const label = LABELS[fieldKey(f.field)] || f.field;
  if (kind === "added") return `${label}: ${valueText(f.field, f.after)}`;
  if (kind === "removed") return `${label} was ${valueText(f.field, f.before)}`;
  return `${label}: ${valueText(f.field, f.before)} → ${valueText(f.field, f.after)}`;
}

/** What a change did, a line each: "Added" and its fields, "Removed", or each field changed. */
export function changeLines(c) {
  const fields = (c.fields || []).map((f) => fieldText(f, c.kind));
  if (c.kind === "added") return ["Added", ...fields];
  if (c.kind === "removed") return ["Removed"];
  return fields.length ? fields : ["Saved again; nothing the website shows changed"];
}

/** When, in the browser's time and words: "Today, 7:56:05 PM", "Thu, Dec 3, 2026, 7:56 PM".
 * Seconds, as a change and its undo are often in the same minute; none for a time on the whole
 * minute (a stream's time may be known only to the minute: ":00" would claim more). */
export function whenText(at, now = new Date()) {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const time = d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit",
    ...(d.getSeconds() || d.getMilliseconds() ? { second: "2-digit" } : {}) });
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (d.toDateString() === now.toDateString()) return `Today, ${time}`;
  if (d.toDateString() === yesterday.toDateString()) return `Yesterday, ${time}`;
  return `${d.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short", year: "numeric" })}, ${time}`;
}

/** The undo a change offers, given the product's version on the menu now (`now`: a number; null,
 * not on the menu; undefined, not known yet): `{ label, toVersion, version }`, or null. */
export function undoOf(c, now) {
  if (now === undefined || !Number.isInteger(c.version)) return null;
  // Not on the menu: any state it had can be put back; a removal, as it was when removed.
  if (now === null) return c.after || c.kind === "removed" ? { label: "Put back", toVersion: c.version, version: null } : null;
  if (!c.after || c.version === now) return null;
  return { label: "Undo to this", toVersion: c.version, version: now };
}

const sentence = (text) => (/[.!?]$/.test(text) ? text : `${text}.`);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

function element(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A list of changes read a page at a time, with its status line and "Show older" button. */
class ChangeList {
  constructor({ list, status, more, read, withNames, versionOf, onUndo, empty }) {
    Object.assign(this, { list, status, more, read, withNames, versionOf, onUndo, empty });
    this.generation = 0; // each reading bumps it; an answer for an older one is dropped
    this.cursor = "";
    this.offered = new Set(); // product and version of each undo shown: one button for each
    this.seen = new Set(); // products listed: their first (newest) change may be "as it is now"
    more.addEventListener("click", () => this.older());
  }

  say(text, cls = "") {
    this.status.textContent = text;
    this.status.className = `status ${cls}`;
  }

  /** Stops whatever reading is under way (its answer is not shown). */
  stop() { this.generation++; }

  /** The newest page; then, until it holds `waitFor` (a product's change at the version the
   * table shows), again every second for a while. `quiet` keeps the status line as it is. */
  async reload({ quiet = false, waitFor = null } = {}) {
    const generation = ++this.generation;
    if (!quiet) this.say("Reading the history…", "busy");
    this.more.hidden = true;
    const deadline = Date.now() + CATCH_UP_MS;
    let shown = null;
    for (;;) {
      let body;
      try {
        body = await this.read("");
      } catch (e) {
        if (generation === this.generation) this.failed(e);
        return;
      }
      if (generation !== this.generation) return;
      // Shown again only when it changed: the keyboard's place in the list stays while it is looked for.
      const seen = JSON.stringify([body.changes.map((c) => c.change), body.next_cursor]);
      if (seen !== shown) {
        shown = seen;
        this.list.replaceChildren();
        this.offered = new Set();
        this.seen = new Set();
        this.show(body);
      }
      if (!quiet) this.say(body.changes.length ? "" : this.empty);
      const caughtUp = !waitFor || body.changes.some((c) => c.product_name === waitFor.name && c.version >= waitFor.version);
      if (caughtUp || Date.now() > deadline) return;
      await sleep(CATCH_UP_POLL_MS);
      if (generation !== this.generation) return;
    }
  }

  async older() {
    const generation = ++this.generation;
    this.more.disabled = true;
    this.say("Reading older changes…", "busy");
    try {
      const body = await this.read(this.cursor);
      if (generation !== this.generation) return;
      const first = this.list.children.length;
      this.show(body);
      this.say(`${body.changes.length} older ${body.changes.length === 1 ? "change" : "changes"} shown.`);
      // The keyboard goes on where the new changes start (the button may be gone).
      this.list.children[first]?.focus();
    } catch (e) {
      if (generation === this.generation) this.failed(e);
    } finally {
      this.more.disabled = false;
    }
  }

  failed(e) {
    this.say(`The history could not be read: ${sentence(e.message)}`, "bad");
    if (e instanceof SessionExpired) this.onUndo.sessionEnded(e.message);
  }

  show(body) {
    this.cursor = body.next_cursor || "";
    this.more.hidden = !this.cursor;
    this.list.append(...body.changes.map((c) => this.entry(c)));
  }

  entry(c) {
    const li = element("li", `change ${c.kind}`);
    li.tabIndex = -1;
    li.dataset.product = c.product_name;
    li.dataset.version = c.version;
    const what = element("div", "what");
    if (this.withNames) what.append(element("strong", "product", c.product_name));
    const when = element("time", null, whenText(c.at));
    when.dateTime = c.at;
    const meta = element("p", "meta");
    meta.append(when, ` · by ${c.by_text || c.by?.name || "another tool"} · version ${c.version}`);
    const lines = element("ul", "lines");
    lines.append(...changeLines(c).map((line) => element("li", null, line)));
    what.append(meta, lines);
    li.append(what);
    const now = this.versionOf(c.product_name);
    const undo = undoOf(c, now);
    // A removal and the change before it put back the same version: the button on the newer only.
    const key = undo && `${c.product_name}\n${undo.toVersion}`;
    if (undo && !this.offered.has(key)) {
      this.offered.add(key);
      const b = element("button", "undo", undo.label);
      b.type = "button";
      b.setAttribute("aria-label", `${undo.label}: ${c.product_name} as it was at version ${c.version} (${when.textContent})`);
      b.addEventListener("click", () => this.onUndo.run(c, undo, this));
      li.append(b);
    } else if (c.after && c.version === now && !this.seen.has(c.product_name)) {
      // Only the newest: another tool's change may keep the version it found.
      li.append(element("span", "now", "As it is now"));
    }
    this.seen.add(c.product_name);
    return li;
  }

  busy(on) {
    for (const b of this.list.querySelectorAll("button.undo")) b.disabled = on;
  }
}

/** The History dialog and the Recent changes view. `versionOf(name)`: the product's version the
 * table shows (null: not on the menu; undefined: the menu not read yet); `showLatest(name, p, done)`:
 * the table shows p as the API answered, saying what was done; `readAgain(name)`: the table reads
 * it again. */
export function startHistory({ api, sessionEnded, versionOf, showLatest, readAgain }) {
  const dialog = $("history");
  let opener = null;

  const undo = {
    sessionEnded,
    /** The revert, then the table and the list as they are now. */
    async run(c, u, list) {
      const name = c.product_name;
      list.busy(true);
      // The button goes when the list is shown again: the keyboard waits on what happened.
      list.status.focus();
      list.say(`${u.version === null ? "Putting back" : "Undoing"} ${name}…`, "busy");
      try {
        const { body } = await api.revert(name, u.toVersion, u.version);
        showLatest(name, body, u.version === null ? "Put back" : "Undone");
        list.say(u.version === null ? `Put back: ${name} is on the menu again, as it was at version ${u.toVersion}.`
          : `Undone: ${name} is as it was at version ${u.toVersion} again (now version ${body.version_int}).`, "ok");
        document.body.dataset.undone = name;
        await list.reload({ quiet: true, waitFor: { name, version: body.version_int } });
      } catch (e) {
        if (e instanceof SessionExpired) {
          if (dialog.open) dialog.close();
          list.say("Not undone: sign in again.", "bad");
          return sessionEnded(e.message);
        }
        if (e instanceof ApiError && e.status === 412) {
          // Changed (or put back) since the table showed it: never retried; both shown as they are now.
          list.say(`Not undone: ${name} was changed after this page read it, and nothing was written. The list ` +
            `below is as it is now: look, then choose again. (${sentence(e.message)})`, "bad");
          await readAgain(name);
          return list.reload({ quiet: true });
        }
        list.say(`Not undone: ${e instanceof ApiError && e.status === 404 ? `version ${u.toVersion} of ${name} is not in ` +
          `the history any more (${e.message})` : e.message}`, "bad");
        list.busy(false);
      }
    },
  };

  let product = null;
  const one = new ChangeList({ list: $("history-list"), status: $("history-status"), more: $("history-more"),
    read: (cursor) => api.history(product, cursor, PAGE), withNames: false, versionOf, onUndo: undo,
    empty: "No changes kept for this product (the history keeps a year of changes)." });
  const all = new ChangeList({ list: $("recent-list"), status: $("recent-status"), more: $("recent-more"),
    read: (cursor) => api.history(null, cursor, PAGE), withNames: true, versionOf, onUndo: undo,
    empty: "No changes kept yet (the history keeps a year of changes)." });

  const waitForLatest = (name) => (Number.isInteger(versionOf(name)) ? { name, version: versionOf(name) } : null);
  $("history-close").addEventListener("click", () => dialog.close());
  $("history-refresh").addEventListener("click", () => one.reload({ waitFor: waitForLatest(product) }));
  dialog.addEventListener("close", () => {
    one.stop();
    if (opener?.isConnected) opener.focus();
  });
  $("recent-refresh").addEventListener("click", () => all.reload());

  return {
    /** Opens the History dialog for a product (`from`: the button that asked, focused again after). */
    open(p, from) {
      product = p.product_name_str;
      opener = from;
      $("history-title").textContent = `History of ${product}`;
      $("history-list").replaceChildren();
      dialog.showModal();
      // On Close, not on the first Undo: Enter on opening must not change anything.
      $("history-close").focus();
      one.reload({ waitFor: waitForLatest(product) });
    },
    /** The Recent changes view, read anew each time it is shown. */
    showRecent() { all.reload(); },
    hideRecent() { all.stop(); },
  };
}
