// The staff page: the session, the three views (the menu as a table; uploads; the menu's recent
// changes), and every change to a product, written with If-Match at the version the page showed.
// A change shows as saved only when the API answered it; a refused one keeps what was typed and
// says why.
import { Api, ApiError, SessionExpired, forgetSession, loadConfig, secondsLeft, signInUrl, signOutUrl,
  signedInAs, takeTokensFromFragment } from "./api.js";
import { formatCents, parsePrice } from "./price.js";
import { startHistory } from "./history.js";
import { pictureOf, startPhotos } from "./photo.js";
import { startUploads } from "./upload.js";

const OUT_OF_STOCK = "out of stock";
const KEPT = "cafe-staff.kept"; // what was typed when the session ended, until signed in again
const $ = (id) => document.getElementById(id);

let config, api, openPhoto, menuHistory;
const rows = new Map(); // product name -> { product (as the API last said), tr, queue }
let sort = { key: "name", dir: 1 };

// ---------------------------------------------------------------- the session

function showSession() {
  const signedIn = secondsLeft() > 0;
  $("who").hidden = !signedIn;
  $("views").hidden = !signedIn;
  $("who-name").textContent = signedIn ? `Signed in as ${signedInAs()}` : "";
  $("signed-out").hidden = signedIn || !$("session").hidden;
  return signedIn;
}

/** The session ended (or was refused): say so, keep what was being typed, offer to sign in. */
function sessionEnded(why, keep) {
  if (keep) {
    const kept = JSON.parse(sessionStorage.getItem(KEPT) || "[]")
      .filter((k) => !(k.name === keep.name && k.change?.field === keep.change?.field));
    kept.push(keep);
    sessionStorage.setItem(KEPT, JSON.stringify(kept));
  }
  $("session-text").textContent = `${why} Sign in again to go on; what you typed is kept and nothing was saved.`;
  $("session").hidden = false;
  $("signed-out").hidden = true;
}

function signIn() {
  rememberAddForm();
  location.assign(signInUrl(config));
}

function rememberAddForm() {
  const form = $("add");
  if (form.hidden) return;
  const values = Object.fromEntries([...form.elements].filter((e) => e.name)
    .map((e) => [e.name, e.type === "checkbox" ? e.checked : e.value]));
  sessionStorage.setItem("cafe-staff.add", JSON.stringify(values));
}

function restoreAddForm() {
  const saved = sessionStorage.getItem("cafe-staff.add");
  if (!saved) return;
  sessionStorage.removeItem("cafe-staff.add");
  const form = $("add");
  for (const [name, value] of Object.entries(JSON.parse(saved))) {
    const e = form.elements[name];
    if (e.type === "checkbox") e.checked = value; else e.value = value;
  }
  form.hidden = false;
  $("add-status").textContent = "Kept from before you signed in: not added yet.";
}

/** Changes kept from an ended session, offered back (never sent without asking). */
function offerKept() {
  const kept = JSON.parse(sessionStorage.getItem(KEPT) || "[]");
  if (!kept.length) return;
  $("kept-list").replaceChildren(...kept.map((k) => li(`${k.name}: ${describe(k.change)}`)));
  $("kept").hidden = false;
  $("kept-save").onclick = async () => {
    sessionStorage.removeItem(KEPT);
    $("kept").hidden = true;
    for (const k of kept) {
      const row = rows.get(k.name);
      if (row) await change(row, k.change);
    }
  };
  $("kept-discard").onclick = () => { sessionStorage.removeItem(KEPT); $("kept").hidden = true; };
}

// ---------------------------------------------------------------- the menu table

const fieldsOf = (p) => ({
  price: formatCents(p.price_in_cents_int),
  tags: p.tag_str_arr.filter((t) => t !== OUT_OF_STOCK).join(", "),
  stock: !p.tag_str_arr.includes(OUT_OF_STOCK),
  special: p.special_int === 1,
  description: p.description_str,
});
const LABELS = { price: "price", tags: "tags", stock: "in stock", special: "special", description: "description" };
const shown = (field, v) => (typeof v === "boolean" ? (v ? "yes" : "no") : v === "" ? "(none)" : v);

function describe(c) {
  return `${LABELS[c.field]} → ${shown(c.field, c.field === "price" ? formatCents(c.value) : c.value)}`;
}

/** The product with one change applied (the other fields as they are in `p`). */
function applied(p, c) {
  const next = { ...p, tag_str_arr: [...p.tag_str_arr] };
  const outOfStock = p.tag_str_arr.includes(OUT_OF_STOCK);
  if (c.field === "price") next.price_in_cents_int = c.value;
  if (c.field === "description") next.description_str = c.value;
  if (c.field === "special") { if (c.value) next.special_int = 1; else delete next.special_int; }
  if (c.field === "stock") {
    next.tag_str_arr = p.tag_str_arr.filter((t) => t !== OUT_OF_STOCK);
    if (!c.value) next.tag_str_arr.push(OUT_OF_STOCK);
  }
  if (c.field === "tags") next.tag_str_arr = [...c.value, ...(outOfStock ? [OUT_OF_STOCK] : [])];
  return next;
}

const splitTags = (text) => [...new Set(text.split(",").map((t) => t.trim()).filter((t) => t && t !== OUT_OF_STOCK))];

function cell(cls, label, child) {
  const td = document.createElement("td");
  td.className = cls;
  if (label) td.dataset.label = label;
  if (child) td.append(child);
  return td;
}

function input(cls, label, value) {
  const e = document.createElement("input");
  if (cls !== "check") { e.type = "text"; e.className = cls; e.value = value; e.autocomplete = "off"; } else {
    e.type = "checkbox"; e.checked = value;
  }
  e.setAttribute("aria-label", label);
  return e;
}

function li(text) { const e = document.createElement("li"); e.textContent = text; return e; }

function buildRow(p) {
  const name = p.product_name_str;
  const f = fieldsOf(p);
  const tr = document.createElement("tr");
  const controls = {
    price: input("price", `Price of ${name}`, f.price),
    tags: input("tags", `Tags of ${name}`, f.tags),
    stock: input("check", `${name} in stock`, f.stock),
    special: input("check", `${name} is a special`, f.special),
    description: input("description", `Description of ${name}`, f.description),
  };
  controls.price.inputMode = "decimal";
  const status = cell("status", "Saved?");
  status.setAttribute("role", "status");
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = "Remove";
  remove.className = "quiet";
  remove.setAttribute("aria-label", `Remove ${name}`);
  const nameCell = cell("name", null);
  nameCell.textContent = name;
  const photo = document.createElement("button");
  photo.type = "button";
  photo.className = "photo quiet";
  photo.setAttribute("aria-label", `Photo of ${name}`);
  photo.append(pictureOf(config.website_url, name, "thumb"));
  photo.addEventListener("click", () => openPhoto(row.product));
  const history = document.createElement("button");
  history.type = "button";
  history.textContent = "History";
  history.className = "quiet";
  history.setAttribute("aria-label", `History of ${name}`);
  history.addEventListener("click", () => menuHistory.open(row.product, history));
  tr.append(nameCell, cell("price", "Price", controls.price), cell("tags", "Tags", controls.tags),
    cell("check", "In stock", controls.stock), cell("check", "Special", controls.special),
    cell("description", "Description", controls.description), cell("photo", "Photo", photo), status,
    cell("history", null, history), cell("remove", null, remove));
  const row = { product: p, tr, controls, status, photo, queue: Promise.resolve(), pending: {} };
  for (const field of ["price", "tags", "description"]) {
    const e = controls[field];
    e.addEventListener("change", () => edited(row, field));
    e.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); edited(row, field); }
      if (ev.key === "Escape") { ev.preventDefault(); showProduct(row); setStatus(row, "", ""); }
    });
  }
  for (const field of ["stock", "special"]) controls[field].addEventListener("change", () => edited(row, field));
  remove.addEventListener("click", () => askRemove(row));
  return row;
}

/** The row's controls as the API last said (what is typed in a field being saved stays). */
function showProduct(row) {
  const f = fieldsOf(row.product);
  for (const [field, e] of Object.entries(row.controls)) {
    if (e.type === "checkbox") e.checked = f[field]; else e.value = f[field];
    e.classList.remove("pending");
    e.removeAttribute("aria-invalid");
  }
}

function setStatus(row, text, kind) {
  row.status.textContent = text;
  row.status.className = `status ${kind}`;
}

/** A field left or confirmed: what it asks for, if it differs from what is saved. */
function edited(row, field) {
  const e = row.controls[field];
  const before = fieldsOf(row.product)[field];
  let value;
  if (field === "price") {
    const read = parsePrice(e.value);
    if (read.error) {
      e.setAttribute("aria-invalid", "true");
      return setStatus(row, read.error, "bad");
    }
    e.removeAttribute("aria-invalid");
    if (read.cents === row.product.price_in_cents_int) { e.value = before; return; }
    value = read.cents;
  } else if (field === "tags") {
    value = splitTags(e.value);
    if (value.join(", ") === before) return;
  } else if (e.type === "checkbox") {
    value = e.checked;
    if (value === before) return;
  } else {
    value = e.value;
    if (value === before) return;
  }
  // Enter and then leaving the field (or Enter's own change event) ask once.
  if (row.pending[field] === JSON.stringify(value)) return;
  change(row, { field, value });
}

/** One change, queued behind the row's earlier ones, written at the version the row shows. */
function change(row, c) {
  row.pending[c.field] = JSON.stringify(c.value);
  row.controls[c.field].classList.add("pending");
  setStatus(row, "Saving…", "busy");
  row.queue = row.queue.then(() => write(row, c, row.product)).finally(() => {
    if (row.pending[c.field] === JSON.stringify(c.value)) delete row.pending[c.field];
  });
  return row.queue;
}

async function write(row, c, base) {
  const name = base.product_name_str;
  try {
    const { body } = await api.change(applied(base, c), base.version_int);
    row.product = body;
    showProduct(row);
    setStatus(row, `Saved ✓ ${new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`, "ok");
    announceCount();
  } catch (e) {
    if (e instanceof SessionExpired) {
      setStatus(row, "Not saved: sign in again", "bad");
      return sessionEnded(e.message, { name, change: c });
    }
    if (e instanceof ApiError && e.status === 412) return conflict(row, c, base);
    if (e instanceof ApiError && e.status === 404) {
      setStatus(row, "Not saved: a colleague removed this product", "bad");
      return;
    }
    const why = e.details?.length ? e.details.map((d) => `${d.field}: ${d.problem}`).join("; ") : e.message;
    setStatus(row, `Not saved: ${why}`, "bad");
  }
}

/** A product as the API last answered it (an undo's answer, or read again): its row shown anew,
 * added when it was put back, gone when it is no longer on the menu. */
function showLatest(name, p, note = "") {
  const row = rows.get(name);
  if (!p) {
    if (row) { rows.delete(name); row.tr.remove(); }
  } else if (row) {
    row.product = p;
    showProduct(row);
    if (note) setStatus(row, note, "ok");
  } else {
    const added = buildRow(p);
    rows.set(name, added);
    placeRows();
    if (note) setStatus(added, note, "ok");
  }
  announceCount();
}

/** The product read again, when the table's version turned out old (an undo's 412). */
async function readAgain(name) {
  try {
    showLatest(name, await api.product(name));
  } catch {
    // The table stays as it was; the next change to it says what happened.
  }
}

// ---------------------------------------------------------------- a colleague's change (412)

function dialogChoice(dialog, buttons) {
  return new Promise((resolve) => {
    const done = (choice) => () => { dialog.close(); resolve(choice); };
    for (const [id, choice] of Object.entries(buttons)) $(id).onclick = done(choice);
    dialog.oncancel = () => resolve("cancel");
    dialog.showModal();
  });
}

/** What the colleague changed, field by field, and the choice: this change on their version, or theirs. */
async function conflict(row, c, saw) {
  let now;
  try {
    now = await api.product(saw.product_name_str);
  } catch (e) {
    return setStatus(row, `Not saved: ${e.message}`, "bad");
  }
  if (!now) {
    setStatus(row, "Not saved: a colleague removed this product", "bad");
    return;
  }
  const before = fieldsOf(saw), after = fieldsOf(now);
  const theirs = Object.keys(LABELS).filter((f) => before[f] !== after[f]);
  $("conflict-intro").textContent = `Someone changed ${saw.product_name_str} after this page showed it. Nothing of yours was written.`;
  $("conflict-theirs").replaceChildren(...(theirs.length ? theirs : ["—"]).map((f) => {
    const tr = document.createElement("tr");
    for (const text of f === "—" ? ["(only its version)", "", ""] : [LABELS[f], shown(f, before[f]), shown(f, after[f])]) {
      const td = document.createElement("td"); td.textContent = text; tr.append(td);
    }
    return tr;
  }));
  $("conflict-mine").textContent = `Your change: ${describe(c)}.`;
  setStatus(row, "Not saved: a colleague changed it first", "busy");
  const choice = await dialogChoice($("conflict"), { "conflict-apply": "apply", "conflict-keep": "keep" });
  row.product = now;
  if (choice === "apply") {
    setStatus(row, "Saving…", "busy");
    return write(row, c, now);
  }
  showProduct(row);
  setStatus(row, "Not saved: their version kept", "bad");
}

// ---------------------------------------------------------------- remove, add

async function askRemove(row) {
  const name = row.product.product_name_str;
  $("remove-title").textContent = `Remove ${name}?`;
  $("remove-text").textContent = `It leaves the menu and the website (within ${config.freshness_seconds} s). ` +
    "A menu file or “Add a product” can bring it back.";
  const choice = await dialogChoice($("confirm-remove"), { "remove-yes": "yes", "remove-no": "no" });
  if (choice !== "yes") return row.tr.querySelector("td.remove button").focus();
  setStatus(row, "Removing…", "busy");
  try {
    await api.remove(name, row.product.version_int);
    rows.delete(name);
    const next = row.tr.nextElementSibling || row.tr.previousElementSibling;
    row.tr.remove();
    (next?.querySelector("input") || $("filter")).focus();
    announceCount(`${name} removed.`);
  } catch (e) {
    if (e instanceof SessionExpired) { setStatus(row, "Not removed: sign in again", "bad"); return sessionEnded(e.message); }
    if (e instanceof ApiError && e.status === 412) {
      const now = await api.product(name);
      if (now) { row.product = now; showProduct(row); }
      return setStatus(row, "Not removed: a colleague changed it first — look, then remove again", "bad");
    }
    setStatus(row, `Not removed: ${e.message}`, "bad");
  }
}

function suggestId() {
  let max = 0;
  for (const { product } of rows.values()) {
    const m = /^a(\d+)$/.exec(product.product_id_str);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `a${max + 1}`;
}

async function add(ev) {
  ev.preventDefault();
  const form = $("add"), f = form.elements, status = $("add-status");
  const price = parsePrice(f.price.value);
  const problems = [];
  if (!f.name.value.trim()) problems.push("a name is needed");
  if (price.error) problems.push(price.error);
  if (!f.id.value.trim()) problems.push("an id is needed");
  f.price.setAttribute("aria-invalid", String(Boolean(price.error)));
  if (problems.length) { status.textContent = `Not added: ${problems.join("; ")}`; status.className = "status bad"; return; }
  let p = { product_name_str: f.name.value.trim(), product_id_str: f.id.value.trim(), price_in_cents_int: price.cents,
    description_str: f.description.value, tag_str_arr: splitTags(f.tags.value) };
  if (!f.stock.checked) p.tag_str_arr.push(OUT_OF_STOCK);
  if (f.special.checked) p.special_int = 1;
  status.textContent = "Adding…"; status.className = "status busy";
  try {
    const { body } = await api.add(p);
    p = body;
    const row = buildRow(p);
    rows.set(p.product_name_str, row);
    placeRows();
    setStatus(row, "Added ✓", "ok");
    form.reset();
    form.hidden = true;
    status.textContent = "";
    announceCount(`${p.product_name_str} added.`);
    row.controls.price.focus();
  } catch (e) {
    if (e instanceof SessionExpired) { rememberAddForm(); status.textContent = "Not added: sign in again"; return sessionEnded(e.message); }
    const why = e.status === 409 ? `${p.product_name_str} is on the menu already` :
      e.details?.length ? e.details.map((d) => `${d.field}: ${d.problem}`).join("; ") : e.message;
    status.textContent = `Not added: ${why}`;
    status.className = "status bad";
  }
}

// ---------------------------------------------------------------- sort and filter

const sortValue = {
  name: (p) => p.product_name_str.toLowerCase(),
  price: (p) => p.price_in_cents_int,
  tags: (p) => fieldsOf(p).tags.toLowerCase(),
  stock: (p) => (fieldsOf(p).stock ? 0 : 1),
  special: (p) => (p.special_int === 1 ? 0 : 1),
  description: (p) => p.description_str.toLowerCase(),
};

function placeRows() {
  const key = sortValue[sort.key];
  const list = [...rows.values()].sort((a, b) => {
    const x = key(a.product), y = key(b.product);
    return (x < y ? -1 : x > y ? 1 : a.product.product_name_str.localeCompare(b.product.product_name_str)) * sort.dir;
  });
  $("products").tBodies[0].append(...list.map((r) => r.tr));
  filter();
}

function filter() {
  const words = $("filter").value.toLowerCase().split(/\s+/).filter(Boolean);
  let visible = 0;
  for (const row of rows.values()) {
    const p = row.product;
    const text = `${p.product_name_str} ${p.tag_str_arr.join(" ")} ${p.description_str}`.toLowerCase();
    row.tr.hidden = !words.every((w) => text.includes(w));
    if (!row.tr.hidden) visible++;
  }
  $("count").textContent = words.length ? `${visible} of ${rows.size} products` : `${rows.size} products`;
}

function announceCount(prefix = "") {
  filter();
  if (prefix) $("count").textContent = `${prefix} ${$("count").textContent}`;
}

function sortBy(key) {
  sort = { key, dir: sort.key === key ? -sort.dir : 1 };
  for (const th of $("products").tHead.rows[0].cells) {
    const b = th.querySelector("button");
    if (b && b.dataset.sort === key) th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
    else th.removeAttribute("aria-sort");
  }
  placeRows();
}

async function loadMenu() {
  $("loading").hidden = false;
  $("loading").textContent = "Loading the menu…";
  try {
    const products = await api.menu((n) => { $("loading").textContent = `Loading the menu… ${n} products`; });
    rows.clear();
    $("products").tBodies[0].replaceChildren();
    for (const p of products) rows.set(p.product_name_str, buildRow(p));
    placeRows();
    $("loading").hidden = true;
    document.body.dataset.ready = "menu";
    // The recent changes offer their undos by the versions just read.
    if (location.hash === "#recent") menuHistory.showRecent();
  } catch (e) {
    $("loading").textContent = `The menu could not be loaded: ${e.message}`;
  }
}

// ---------------------------------------------------------------- views

const VIEWS = { menu: "Menu", upload: "Upload a menu file", recent: "Recent changes" };

function showView() {
  const view = Object.hasOwn(VIEWS, location.hash.slice(1)) ? location.hash.slice(1) : "menu";
  const signedIn = secondsLeft() > 0 || !$("session").hidden;
  for (const v of Object.keys(VIEWS)) {
    $(v).hidden = !signedIn || v !== view;
    const tab = $(`tab-${v}`);
    if (v === view) tab.setAttribute("aria-current", "page"); else tab.removeAttribute("aria-current");
  }
  document.title = `${VIEWS[view]} · Café staff`;
  // Read anew each time it is shown (what the history says may have changed since).
  if (signedIn && view === "recent") menuHistory.showRecent(); else menuHistory.hideRecent();
}

async function main() {
  config = await loadConfig();
  api = new Api(config);
  if (takeTokensFromFragment() === "refused") {
    $("signed-out-note").textContent = "That sign-in link was not started on this page, so it was ignored " +
      "and nothing was signed in. Sign in here.";
    $("signed-out-note").hidden = false;
  }
  $("sign-in").addEventListener("click", signIn);
  $("sign-in-again").addEventListener("click", signIn);
  $("sign-out").addEventListener("click", () => {
    forgetSession();
    sessionStorage.removeItem(KEPT);
    location.assign(signOutUrl(config));
  });
  window.addEventListener("hashchange", showView);
  $("filter").addEventListener("input", filter);
  for (const b of document.querySelectorAll("[data-sort]")) b.addEventListener("click", () => sortBy(b.dataset.sort));
  $("add-open").addEventListener("click", () => {
    const form = $("add");
    form.hidden = false;
    if (!form.elements.id.value) form.elements.id.value = suggestId();
    form.elements.name.focus();
  });
  $("add-cancel").addEventListener("click", () => { $("add").reset(); $("add").hidden = true; $("add-open").focus(); });
  $("add").addEventListener("submit", add);
  // The session's end is shown when it comes, not only at the next change.
  setInterval(() => {
    if (document.body.dataset.ready && secondsLeft() <= 0 && $("session").hidden) sessionEnded("Your session has ended.");
  }, 5000);
  startUploads({ api, sessionEnded, onLoaded: loadMenu });
  openPhoto = startPhotos({ api, websiteUrl: config.website_url, sessionEnded, onPictureChanged: (name) => {
    const row = rows.get(name);
    if (row) row.photo.replaceChildren(pictureOf(config.website_url, name, "thumb", true));
  } });
  menuHistory = startHistory({ api, sessionEnded, readAgain,
    // Undefined until the menu is read: no undo is offered on a version the page does not know.
    versionOf: (name) => (document.body.dataset.ready !== "menu" ? undefined : rows.get(name)?.product.version_int ?? null),
    showLatest: (name, p, done) => showLatest(name, p,
      `${done} ✓ ${new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`) });
  if (!showSession()) {
    if (sessionStorage.getItem(KEPT) || sessionStorage.getItem("cafe-staff.add")) {
      sessionEnded("Your session has ended.");
    } else {
      document.body.dataset.ready = "signed-out";
      return;
    }
  }
  showView();
  await loadMenu();
  restoreAddForm();
  offerKept();
}

main().catch((e) => {
  const p = document.createElement("p");
  p.setAttribute("role", "alert");
  p.className = "notice warn";
  p.textContent = `The page could not start: ${e.message}`;
  document.body.prepend(p);
});
