// The staff page driven as a person would, in headless Chromium (playwright-core), against a
// running local system: scripts/e2e_staff.py starts it with the system's settings and checks
// what it prints (one JSON line of observations), and bench.py's staff section uses openMenu().
//   node scripts/e2e_staff.js CONFIG_JSON
// CONFIG_JSON: {page, api, user, password, staff_token, shots, bad_file, big_file, good_file, bound_seconds, …}
const { chromium } = require("playwright-core");

const LAUNCH = { executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] };

async function api(base, method, path, { token, body, ifMatch } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body) headers["content-type"] = "application/json";
  if (ifMatch !== undefined) headers["if-match"] = `"${ifMatch}"`;
  const r = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

async function publicPrice(base, name) {
  let cursor = "", found = null;
  do {
    const { body } = await api(base, "GET", `/products?limit=1000&cursor=${encodeURIComponent(cursor)}`);
    found = body.product_item_arr.find((p) => p.product_name_str === name) || found;
    cursor = body.next_cursor || "";
  } while (cursor);
  return found && found.price_in_cents_int;
}

/** A token like the page's but with other claims (its signature no longer fits). */
function forged(token, change) {
  const [h, c, s] = token.split(".");
  const claims = JSON.parse(Buffer.from(c, "base64url").toString());
  Object.assign(claims, change(claims));
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
}

async function signIn(page, user, password) {
  await page.waitForURL((u) => u.pathname === "/login", { timeout: 15000 });
  // The keyboard alone: the form's first field has the focus (waited for, as a person waits
  // for the cursor: on a busy machine the page may not have given it yet).
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "username",
    null, { timeout: 15000 });
  await page.keyboard.type(user);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => u.pathname.startsWith("/staff/"), { timeout: 15000 });
}

function row(page, name) {
  return page.locator("#products tbody tr", { has: page.locator("td.name", { hasText: new RegExp(`^${name}$`) }) });
}

/** Types into a row's field with the keyboard and presses Enter; the status it ends with. */
async function typeInto(page, name, field, text) {
  const input = row(page, name).locator(`input.${field}`);
  await input.focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

async function statusOf(page, name, notText = "Saving…") {
  const status = row(page, name).locator("td.status");
  await page.waitForFunction(([el, not]) => el && el.textContent && el.textContent !== not,
    [await status.elementHandle(), notText], { timeout: 20000 });
  return (await status.textContent()).trim();
}

/** The text of the change `selector` names once the list shows it. The history is written from the
 * table's stream a second or two after each write: looked for again (the list's Refresh) for up
 * to 15 s; null if it never came. */
async function whenListed(page, selector, refresh) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const found = await page.waitForSelector(selector, { timeout: 3000 }).catch(() => null);
    if (found) return (await found.innerText()).replace(/\s*\n\s*/g, " | ");
    if (Date.now() > deadline) return null;
    await page.click(refresh);
  }
}

async function session(cfg) {
  const out = { console: [], pageErrors: [] };
  const browser = await chromium.launch(LAUNCH);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  let historyDown = false; // while the history's routes are made to fail: their 503s are expected
  page.on("console", (m) => {
    if (m.type() === "error" && !(historyDown && /status of 503\b/.test(m.text()))) out.console.push(m.text());
  });
  page.on("pageerror", (e) => out.pageErrors.push(String(e)));
  const shot = (name) => page.screenshot({ path: `${cfg.shots}/${name}.png` });
  try {
    // A link that carries a staff member's real tokens but was not started on this page (no
    // sign-in state of this tab): nothing is signed in, and the page says why.
    await page.goto(`${cfg.page}#id_token=${cfg.staff_token}&access_token=x&expires_in=900&token_type=Bearer&state=forged`);
    await page.waitForSelector("body[data-ready=signed-out]", { timeout: 20000 });
    out.plantedNote = await page.textContent("#signed-out-note");
    out.plantedKept = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes("token")));
    out.plantedAddress = page.url();
    await page.setViewportSize({ width: 375, height: 700 });
    await shot("staff-link-refused-375");
    await page.setViewportSize({ width: 1280, height: 800 });

    // Signed out, then signed in through the login stand-in, by keyboard.
    await page.goto(cfg.page);
    await page.waitForSelector("body[data-ready=signed-out]", { timeout: 20000 });
    await shot("staff-signed-out-1280");
    await page.focus("#sign-in");
    await page.keyboard.press("Enter");
    await signIn(page, cfg.user, cfg.password);
    await page.waitForSelector("body[data-ready=menu]", { timeout: 30000 });
    out.who = await page.textContent("#who-name");
    out.rows = await page.locator("#products tbody tr").count();
    out.apiRows = (await api(cfg.api, "GET", "/products")).body.product_item_arr.length;
    out.address = page.url();
    // The pictures in before the picture of the page (the docs' screenshot).
    await page.waitForFunction(() => [...document.querySelectorAll("#products img.thumb")].every((i) => i.complete),
      null, { timeout: 10000 }).catch(() => {});
    await shot("staff-menu-1280");

    // Every control has a name a screen reader reads.
    out.unlabelled = await page.evaluate(() => [...document.querySelectorAll("input, button, select, textarea")]
      .filter((e) => !(e.getAttribute("aria-label") || (e.labels && e.labels.length) || e.textContent.trim()))
      .map((e) => e.outerHTML.slice(0, 80)));

    // Filter and sort.
    await page.fill("#filter", "bagel");
    out.filtered = await page.locator("#products tbody tr:not([hidden])").count();
    out.filterCount = await page.textContent("#count");
    await page.fill("#filter", "");
    await page.click("[data-sort=price]");
    out.sortedPrices = await page.$$eval("#products tbody tr input.price", (es) => es.map((e) => e.value));
    await page.click("[data-sort=name]");

    // A refused price: cafe-menu's message, nothing sent.
    await typeInto(page, "lemon pie", "price", "4,50");
    out.refused = await statusOf(page, "lemon pie", "");
    out.refusedInvalid = await row(page, "lemon pie").locator("input.price").getAttribute("aria-invalid");

    // A price changed, saved, and on the public list within the freshness bound.
    await typeInto(page, "lemon pie", "price", "$47.25");
    const savedAt = Date.now();
    out.saved = await statusOf(page, "lemon pie");
    for (;;) {
      if ((await publicPrice(cfg.api, "lemon pie")) === 4725) { out.publicAfterMs = Date.now() - savedAt; break; }
      if (Date.now() - savedAt > 3 * cfg.bound_seconds * 1000) { out.publicAfterMs = null; break; }
      await new Promise((ok) => setTimeout(ok, 100));
    }
    out.shownPrice = await row(page, "lemon pie").locator("input.price").inputValue();

    // A colleague changes "cherry pie slice" while the page shows it: the 412, field by field.
    const name412 = "cherry pie slice";
    const before = (await api(cfg.api, "GET", `/products/${encodeURIComponent(name412)}`)).body;
    const theirs = { ...before, description_str: "Changed by a colleague.", tag_str_arr: [...before.tag_str_arr, "out of stock"] };
    delete theirs.version_int;
    out.colleague = (await api(cfg.api, "PUT", `/products/${encodeURIComponent(name412)}`,
      { token: cfg.staff_token, body: theirs, ifMatch: before.version_int })).status;
    await typeInto(page, name412, "price", "6.10");
    await page.waitForSelector("#conflict[open]", { timeout: 20000 });
    out.conflictRows = await page.$$eval("#conflict-theirs tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    out.conflictMine = await page.textContent("#conflict-mine");
    await shot("staff-conflict-1280");
    await page.click("#conflict-apply");
    out.conflictSaved = await statusOf(page, name412);
    out.afterConflict = (await api(cfg.api, "GET", `/products/${encodeURIComponent(name412)}`)).body;

    // The menu's history: a price changed here, seen in the product's History (the old price and
    // the new, by the staff member signed in), undone there to the version before it (the table
    // shows the old price again), and both in Recent changes.
    const histName = "chocolate cake slice", histRow = row(page, histName);
    const histPath = `/products/${encodeURIComponent(histName)}`;
    const v = (await api(cfg.api, "GET", histPath)).body.version_int;
    const entry = (list, version) => `#${list}-list li[data-product="${histName}"][data-version="${version}"]`;
    out.historyOldPrice = await histRow.locator("input.price").inputValue();
    await typeInto(page, histName, "price", "$7.35");
    out.historySaved = await statusOf(page, histName);
    await histRow.locator("td.history button").click();
    await page.waitForSelector("#history[open]");
    out.historyFocus = await page.evaluate(() => document.activeElement.id);
    out.historyChange = await whenListed(page, entry("history", v + 1), "#history-refresh");
    out.historyEarlier = await page.locator(`${entry("history", v)} button.undo`).count();
    await shot("staff-history-1280");
    if (out.historyEarlier) {
      await page.click(`${entry("history", v)} button.undo`);
      await page.waitForFunction(() => /^(Undone|Not undone)/.test(document.querySelector("#history-status").textContent),
        null, { timeout: 20000 });
      out.undoStatus = await page.textContent("#history-status");
      out.undoTable = await histRow.locator("input.price").inputValue();
      out.undoApi = (await api(cfg.api, "GET", histPath)).body.price_in_cents_int;
      out.undoChange = await whenListed(page, entry("history", v + 2), "#history-refresh");
      await shot("staff-history-undone-1280");
    }
    await page.keyboard.press("Escape");
    await page.waitForSelector("#history:not([open])", { state: "attached" });
    out.historyFocusBack = await page.evaluate(() => document.activeElement.getAttribute("aria-label"));

    await page.click("#tab-recent");
    await page.waitForSelector("#recent:not([hidden])");
    out.recentChange = await whenListed(page, entry("recent", v + 1), "#recent-refresh");
    out.recentUndo = await whenListed(page, entry("recent", v + 2), "#recent-refresh");
    await shot("staff-recent-1280");
    // Older changes, a page at a time (the sample menu's load alone is more than a page).
    out.recentShown = await page.locator("#recent-list > li").count();
    if (await page.isVisible("#recent-more")) {
      await page.click("#recent-more");
      await page.waitForFunction((n) => document.querySelectorAll("#recent-list > li").length > n, out.recentShown,
        { timeout: 15000 }).catch(() => {});
      out.recentOlder = await page.locator("#recent-list > li").count();
    }
    // An undo that comes too late: a colleague changed the product after the page read it. Not
    // retried: said why, and the table and the list read again.
    const now = (await api(cfg.api, "GET", histPath)).body;
    const theirPrice = { ...now, price_in_cents_int: 625 };
    delete theirPrice.version_int;
    out.staleColleague = (await api(cfg.api, "PUT", histPath, { token: cfg.staff_token, body: theirPrice, ifMatch: now.version_int })).status;
    await page.click("#recent-refresh");
    await page.waitForSelector(`${entry("recent", v + 1)} button.undo`);
    await page.click(`${entry("recent", v + 1)} button.undo`);
    await page.waitForFunction(() => /^(Undone|Not undone)/.test(document.querySelector("#recent-status").textContent),
      null, { timeout: 20000 });
    out.staleStatus = await page.textContent("#recent-status");
    out.staleApi = (await api(cfg.api, "GET", histPath)).body.price_in_cents_int;
    await page.click("#tab-menu");
    out.staleTable = await histRow.locator("input.price").inputValue();

    // The history's routes failing: the page says so where the history would be, and goes on.
    const historyRoutes = (u) => u.pathname.endsWith("/history");
    await page.route(historyRoutes, (r) => r.fulfill({ status: 503, contentType: "application/json",
      body: JSON.stringify({ error: { code: "unavailable", message: "The history cannot be read just now." } }) }));
    historyDown = true;
    await histRow.locator("td.history button").click();
    await page.waitForFunction(() => document.querySelector("#history-status").textContent.includes("could not be read"));
    out.historyDown = await page.textContent("#history-status");
    await page.click("#history-close");
    await page.click("#tab-recent");
    await page.waitForFunction(() => document.querySelector("#recent-status").textContent.includes("could not be read"));
    out.recentDown = await page.textContent("#recent-status");
    await page.unroute(historyRoutes);
    historyDown = false;
    await page.click("#tab-menu");
    out.historyDownMenu = await histRow.locator("input.price").isEditable();

    // Add, then remove (it asks first).
    await page.click("#add-open");
    await page.fill("#add input[name=name]", "e2e page scone");
    await page.fill("#add input[name=price]", "3.75");
    await page.fill("#add input[name=tags]", "savoury, scone");
    await page.fill("#add input[name=description]", "Added from the staff page.");
    await page.click("#add button[type=submit]");
    out.added = await statusOf(page, "e2e page scone", "");
    out.addedApi = (await api(cfg.api, "GET", `/products/${encodeURIComponent("e2e page scone")}`)).body;
    await row(page, "e2e page scone").locator("td.remove button").click();
    await page.waitForSelector("#confirm-remove[open]");
    out.removeAsks = await page.textContent("#remove-title");
    await page.click("#remove-yes");
    await page.waitForFunction(() => ![...document.querySelectorAll("#products td.name")].some((td) => td.textContent === "e2e page scone"));
    out.removedApi = (await api(cfg.api, "GET", `/products/${encodeURIComponent("e2e page scone")}`)).status;

    // Uploads. Each file is previewed first (nothing written): a file the loader would reject shows
    // its problems and no Load button; Escape closes the preview.
    await page.click("#tab-upload");
    await page.waitForSelector("#upload:not([hidden])");
    const tableRows = () => page.$$eval("#products td.name", (tds) => tds.map((td) => td.textContent));
    const counted = (where) => page.$eval(`${where} table`, (t) => [...t.querySelectorAll("td.n")].map((td) => Number(td.textContent)));
    await page.setInputFiles("#file", cfg.bad_file);
    await page.waitForSelector("body[data-preview]", { timeout: 30000 });
    out.badPreviewState = await page.getAttribute("body", "data-preview");
    out.badPreview = await page.innerText("#preview");
    out.badPreviewLoad = await page.locator("#preview button.load").count();
    out.badPreviewFocus = await page.evaluate(() => document.activeElement.id);
    await shot("staff-upload-preview-rejected-1280");
    out.badApi = (await api(cfg.api, "GET", `/products/${encodeURIComponent("e2e page muffin")}`)).status;
    await page.keyboard.press("Escape");
    await page.waitForSelector("#preview", { state: "hidden" });
    out.badClosed = await page.innerText("#report");

    // The same problems in a file past the preview's 4 MB: not previewed, said so, Load it offered;
    // loaded, the loader rejects it: its report lists each problem by record and field.
    await page.setInputFiles("#file", cfg.big_file);
    await page.waitForSelector("body[data-preview]", { timeout: 30000 });
    out.bigPreviewState = await page.getAttribute("body", "data-preview");
    out.bigPreview = await page.innerText("#preview");
    await page.click("#preview button.load");
    await page.waitForSelector("body[data-report]", { timeout: 120000 });
    out.badOutcome = await page.getAttribute("body", "data-report");
    out.badReport = await page.innerText("#report");
    out.badUndo = await page.locator("#report .undo-load").count();
    await shot("staff-upload-rejected-1280");
    await page.evaluate(() => delete document.body.dataset.report);

    // A good file: its preview (what it would add, the conflict field by field) writes nothing;
    // Tab, Enter on Load it, and the load report's counts are the preview's.
    const rowsBefore = await tableRows();
    await page.setInputFiles("#file", cfg.good_file);
    await page.waitForSelector("body[data-preview]", { timeout: 30000 });
    out.goodPreviewState = await page.getAttribute("body", "data-preview");
    out.goodPreview = await page.innerText("#preview");
    out.goodPreviewCounts = await counted("#preview");
    out.goodPreviewFocus = await page.evaluate(() => document.activeElement.id);
    out.goodPreviewApi = (await api(cfg.api, "GET", `/products/${encodeURIComponent("e2e page muffin")}`)).status;
    out.goodPreviewRows = (await tableRows()).length === rowsBefore.length;
    await page.screenshot({ path: `${cfg.shots}/staff-upload-preview-1280.png`, fullPage: true });
    await page.setViewportSize({ width: 375, height: 760 });
    await page.evaluate(() => { document.querySelector("#preview").scrollIntoView(); window.scrollBy(0, -12); });
    out.phonePreviewWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await shot("staff-upload-preview-375");
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.keyboard.press("Tab");
    out.previewTab = await page.evaluate(() => document.activeElement.textContent);
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-report]", { timeout: 60000 });
    out.goodOutcome = await page.getAttribute("body", "data-report");
    out.goodReport = await page.innerText("#report");
    out.goodReportCounts = await counted("#report");
    await page.waitForFunction(() => [...document.querySelectorAll("#products td.name")].some((td) => td.textContent === "e2e page muffin"),
      null, { timeout: 15000 }).catch(() => {});
    await shot("staff-upload-loaded-1280");

    // Undo this load. A colleague changes one of its products first (once the history has the
    // load's insert, as the undo reads who added it): that one is kept, named; the other goes.
    const flapjack = `/products/${encodeURIComponent("e2e page flapjack")}`;
    for (const deadline = Date.now() + 15000; Date.now() < deadline;) {
      const h = await api(cfg.api, "GET", `${flapjack}/history`, { token: cfg.staff_token });
      if (h.status === 200 && h.body.changes.some((c) => c.version === 1)) break;
      await new Promise((ok) => setTimeout(ok, 500));
    }
    const fj = (await api(cfg.api, "GET", flapjack)).body;
    const fjTheirs = { ...fj, price_in_cents_int: 275 };
    delete fjTheirs.version_int;
    out.undoColleague = (await api(cfg.api, "PUT", flapjack, { token: cfg.staff_token, body: fjTheirs, ifMatch: fj.version_int })).status;
    await page.focus("#report button.undo-ask");
    await page.keyboard.press("Enter");
    out.undoAskFocus = await page.evaluate(() => document.activeElement.textContent);
    await page.keyboard.press("Escape");
    out.undoKept = await page.evaluate(() => document.activeElement.textContent);
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-load-undone]", { timeout: 30000 });
    out.loadUndone = await page.getAttribute("body", "data-load-undone");
    out.undoneText = await page.innerText("#report .undo-load");
    await page.waitForFunction(() => ![...document.querySelectorAll("#products td.name")].some((td) => td.textContent === "e2e page muffin"),
      null, { timeout: 15000 }).catch(() => {});
    const rowsAfter = await tableRows();
    out.undoneRows = { muffin: rowsAfter.includes("e2e page muffin"), flapjack: rowsAfter.includes("e2e page flapjack") };
    out.undoneApi = [(await api(cfg.api, "GET", `/products/${encodeURIComponent("e2e page muffin")}`)).status,
      (await api(cfg.api, "GET", flapjack)).body?.price_in_cents_int];
    await page.screenshot({ path: `${cfg.shots}/staff-upload-undone-1280.png`, fullPage: true });
    await page.click("#tab-menu");

    // A product's photo: chosen, centred by keyboard, previewed, saved; then a file that is no photo.
    const bagel = row(page, "blueberry bagel");
    await bagel.locator("td.photo button").click();
    await page.waitForSelector("#photo[open]");
    await page.setInputFiles("#photo-file", cfg.photo_file);
    await page.waitForSelector("#photo-chosen:not([hidden])");
    await page.focus("#photo-whole");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    out.photoFocusLabel = await page.getAttribute("#photo-whole", "aria-label");
    await shot("staff-photo-preview-1280");
    await page.click("#photo-save");
    await page.waitForSelector("body[data-photo]", { timeout: 120000 });
    out.photoOutcome = await page.getAttribute("body", "data-photo");
    out.photoStatus = await page.textContent("#photo-status");
    await page.waitForFunction(() => { const i = document.querySelector("#photo-now img"); return i && i.complete && i.naturalWidth > 0; },
      null, { timeout: 10000 }).catch(() => {});
    out.photoNow = await page.evaluate(() => { const i = document.querySelector("#photo-now img"); return [i.naturalWidth, i.naturalHeight]; });
    await shot("staff-photo-done-1280");
    await page.setInputFiles("#photo-file", cfg.not_photo_file);
    await page.waitForFunction(() => document.querySelector("#photo-status").textContent.includes("could not be read"));
    out.notPhotoStatus = await page.textContent("#photo-status");
    out.notPhotoSave = await page.isDisabled("#photo-save");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#photo:not([open])", { state: "attached" });
    await page.waitForFunction(() => [...document.querySelectorAll("#products tbody tr")]
      .some((tr) => tr.querySelector("td.name").textContent === "blueberry bagel" && tr.querySelector("img.thumb")?.naturalWidth === 360));
    out.photoThumb = await bagel.locator("img.thumb").evaluate((i) => [i.naturalWidth, i.naturalHeight]);

    // The phone: 375 px wide, nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 760 });
    await page.waitForTimeout(200);
    out.phoneWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await shot("staff-menu-375");
    await page.click("#tab-upload");
    out.phoneUploadWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await shot("staff-upload-375");
    await page.click("#tab-menu");
    await row(page, "blueberry bagel").locator("td.photo button").click();
    await page.waitForSelector("#photo[open]");
    await page.setInputFiles("#photo-file", cfg.photo_file);
    await page.waitForSelector("#photo-chosen:not([hidden])");
    out.phonePhotoWidth = await page.evaluate(() => Math.max(document.documentElement.scrollWidth,
      document.querySelector("#photo").getBoundingClientRect().right));
    await shot("staff-photo-375");
    await page.click("#photo-close");
    await row(page, histName).locator("td.history button").click();
    await page.waitForSelector(`${entry("history", v + 1)}`, { timeout: 15000 }).catch(() => {});
    out.phoneHistoryWidth = await page.evaluate(() => Math.max(document.documentElement.scrollWidth,
      document.querySelector("#history").getBoundingClientRect().right));
    await shot("staff-history-375");
    await page.keyboard.press("Escape");
    await page.click("#tab-recent");
    await page.waitForFunction(() => document.querySelector("#recent-list > li")
      && !document.querySelector("#recent-status").textContent.startsWith("Reading"), null, { timeout: 15000 }).catch(() => {});
    out.phoneRecentWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await shot("staff-recent-375");
    await page.click("#tab-menu");
    await page.setViewportSize({ width: 1280, height: 800 });

    // An expired session: the change is not sent, the person is sent to sign in, the typing kept.
    const token = await page.evaluate(() => sessionStorage.getItem("cafe-staff.token"));
    await page.evaluate((t) => sessionStorage.setItem("cafe-staff.token", t),
      forged(token, () => ({ exp: Math.floor(Date.now() / 1000) - 60 })));
    await typeInto(page, "garlic bagel", "price", "4.15");
    await page.waitForSelector("#session:not([hidden])", { timeout: 10000 });
    out.expiredNotice = await page.textContent("#session-text");
    out.expiredStatus = await statusOf(page, "garlic bagel", "Saving…");
    out.expiredApi = (await api(cfg.api, "GET", `/products/${encodeURIComponent("garlic bagel")}`)).body.price_in_cents_int;
    await shot("staff-session-ended-1280");
    await page.click("#sign-in-again");
    await signIn(page, cfg.user, cfg.password);
    await page.waitForSelector("#kept:not([hidden])", { timeout: 30000 });
    out.kept = await page.innerText("#kept-list");
    await page.click("#kept-save");
    out.keptSaved = await statusOf(page, "garlic bagel");
    out.keptApi = (await api(cfg.api, "GET", `/products/${encodeURIComponent("garlic bagel")}`)).body.price_in_cents_int;

    // A token the API refuses (its signature does not fit): the same path back to the sign-in.
    const fresh = await page.evaluate(() => sessionStorage.getItem("cafe-staff.token"));
    await page.evaluate((t) => sessionStorage.setItem("cafe-staff.token", t), forged(fresh, () => ({ "cognito:username": "mallory" })));
    await typeInto(page, "garlic bagel", "price", "4.35");
    await page.waitForSelector("#session:not([hidden])", { timeout: 10000 });
    out.refusedNotice = await page.textContent("#session-text");
    out.refusedApi = (await api(cfg.api, "GET", `/products/${encodeURIComponent("garlic bagel")}`)).body.price_in_cents_int;
    await page.evaluate((t) => sessionStorage.setItem("cafe-staff.token", t), fresh);
    await page.evaluate(() => sessionStorage.removeItem("cafe-staff.kept"));

    // Sign out: back on the page, signed out, no token kept.
    await page.click("#sign-out");
    await page.waitForSelector("body[data-ready=signed-out]", { timeout: 20000 });
    out.signedOutToken = await page.evaluate(() => sessionStorage.getItem("cafe-staff.token"));
    out.signedOutAddress = page.url();
    await page.setViewportSize({ width: 375, height: 760 });
    await shot("staff-signed-out-375");
  } catch (e) {
    out.error = String(e.stack || e);
    await shot("staff-failure").catch(() => {});
  }
  await browser.close();
  return out;
}

/** Bench: bytes for the first view and the time until the table is usable, signed in. */
async function openMenu(cfg) {
  const browser = await chromium.launch(LAUNCH);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((t) => sessionStorage.setItem("cafe-staff.token", t), cfg.staff_token);
  const results = [];
  for (let i = 0; i < cfg.runs; i++) {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    const bytes = { page: 0, menu: 0 };
    const urls = new Map();
    cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response.url));
    cdp.on("Network.loadingFinished", (e) => {
      const url = urls.get(e.requestId) || "";
      if (url.includes("/products")) bytes.menu += e.encodedDataLength; else bytes.page += e.encodedDataLength;
    });
    const started = Date.now();
    await page.goto(cfg.page);
    await page.waitForSelector("body[data-ready=menu]", { timeout: 60000 });
    const usableMs = Date.now() - started;
    await page.waitForTimeout(300); // the last loadingFinished events
    results.push({ usableMs, rows: await page.locator("#products tbody tr").count(), ...bytes });
    await page.close();
  }
  await browser.close();
  return results;
}

const cfg = JSON.parse(process.argv[2]);
(cfg.bench ? openMenu(cfg) : session(cfg))
  .then((out) => console.log(JSON.stringify(out)))
  .catch((e) => { console.log(JSON.stringify({ error: String(e.stack || e) })); process.exit(1); });
