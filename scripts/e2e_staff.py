"""The staff page, end to end (scripts/e2e.py calls check_staff_page from main): served by the
local system at STAFF_PAGE_URL, driven in headless Chromium by scripts/e2e_staff.js as a person
would, by keyboard where a person at the counter would use it: sign in through the login
stand-in, a refused price, a price changed and then on the public GET /products within the
freshness bound, a colleague's competing write shown field by field (412) and resolved, the
menu's history (a price change in the product's History and in Recent changes, undone from there;
an undo too late refused with a 412, never retried; the history's routes failing), add and remove, uploads
(a file that would be rejected: its preview's problems and no Load button; a file too large to preview,
loaded and rejected by the loader; a good file's preview, nothing written, then loaded with the same
counts, and undone: what it added removed, what a colleague changed since kept), the page at 375 px, an expired and
a refused session (nothing written, what was typed kept, saved after signing in again), sign
out; no errors in the browser console. Screenshots land in the state folder (staff-*.png)."""
import json
import os
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / ".tools/node/node_modules"
# Answers the page asks for and handles, which Chromium still logs as "Failed to load resource":
# a report not written yet (404), a colleague's change (412), a refused token (401).
EXPECTED_LOAD_ERRORS = re.compile(r"^Failed to load resource: the server responded with a status of (401|404|412)\b")


def run_page(config, timeout=300):
    out = subprocess.run(["node", str(ROOT / "scripts/e2e_staff.js"), json.dumps(config)], cwd=ROOT,
                         env=dict(os.environ, NODE_PATH=str(NODE_MODULES)), capture_output=True, text=True, timeout=timeout)
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {"error": out.stderr[-1500:]}


def menu_files(state):
    """A file with two problems (previewed: rejected, no Load button); the same problems padded past
    the preview's 4 MB (not previewed: loaded, and the loader rejects it); a good file (two new
    products and a conflict)."""
    problems = [
        {"product_name_str": "e2e page muffin", "product_id_str": "m1", "price_in_cents_int": 325},
        {"product_name_str": "e2e page tart", "product_id_str": "m2", "price_in_cents_int": -5},
        {"product_name_str": "", "product_id_str": "m3", "price_in_cents_int": 300}]
    bad = state / "staff-bad-menu.json"
    bad.write_text(json.dumps({"product_item_arr": problems}))
    big = state / "staff-big-menu.json"
    big.write_text(json.dumps({"product_item_arr": problems + [
        {"product_name_str": f"e2e page big {i}", "product_id_str": f"b{i}", "price_in_cents_int": 100,
         "description_str": "x" * 1000} for i in range(5300)]}))
    good = state / "staff-good-menu.json"
    good.write_text(json.dumps({"product_item_arr": [
        {"product_name_str": "e2e page muffin", "product_id_str": "m1", "price_in_cents_int": 325,
         "description_str": "From the staff page's upload.", "tag_str_arr": ["muffin"]},
        {"product_name_str": "e2e page flapjack", "product_id_str": "m4", "price_in_cents_int": 250,
         "description_str": "Oats and syrup.", "tag_str_arr": ["bakery"]},
        {"product_name_str": "apple pie slice", "product_id_str": "a440", "price_in_cents_int": 1,
         "description_str": "A different one.", "tag_str_arr": []}]}))
    return bad, big, good


def check_staff_page(system, check, request, photo_file):
    """`check(ok, what)` and `request(method, url, ...)` are e2e.py's; `photo_file` a phone photo."""
    env = system.settings()
    page = env.get("STAFF_PAGE_URL", "")
    check(page == f"{system.base}/staff/", f"run.env has STAFF_PAGE_URL ({page})")
    banner = (system.state / "run.out").read_text()
    check(f"The staff page (sign in as the demo staff member below):  {page}" in banner, "the banner shows the staff page")
    if not (NODE_MODULES / "playwright-core").exists():
        check(False, "browser tools installed (scripts/install-browser-tools.sh)")
        return
    bad, big, good = menu_files(system.state)
    not_photo = system.state / "staff-not-a-photo.jpg"
    not_photo.write_text("product_name,price\nmuffin,4.50\n")
    token = system.staff()["authorization"].removeprefix("Bearer ")
    bound = int(env.get("FRESHNESS_SECONDS", "5"))
    r = run_page({"page": page, "api": system.base, "user": env["STAFF_USERNAME"], "password": env["STAFF_PASSWORD"],
                  "staff_token": token, "shots": str(system.state), "bad_file": str(bad), "big_file": str(big), "good_file": str(good),
                  "bound_seconds": bound, "photo_file": str(photo_file), "not_photo_file": str(not_photo)})
    check(not r.get("error"), f"the session ran to its end ({(r.get('error') or '')[:600]})")
    check("not started on this page" in (r.get("plantedNote") or "") and r.get("plantedKept") == []
          and r.get("plantedAddress") == page,
          f"a link carrying a staff token but not this tab's sign-in state: refused, nothing kept, the address cleared "
          f"({r.get('plantedNote')!r}, {r.get('plantedKept')})")
    check(r.get("who") == f"Signed in as {env['STAFF_USERNAME']}" and r.get("address") == page,
          f"signed in by keyboard through the login stand-in, back on the page without the tokens in its address ({r.get('who')!r}, {r.get('address')})")
    check(r.get("rows") == r.get("apiRows"), f"the table has a row per product ({r.get('rows')} rows, {r.get('apiRows')} products)")
    check(r.get("unlabelled") == [], f"every control has a label ({r.get('unlabelled')})")
    check(r.get("filtered", 0) >= 4 and "of" in (r.get("filterCount") or ""), f"typing filters the table ({r.get('filterCount')})")
    prices = [int(p.replace("$", "").replace(".", "")) for p in r.get("sortedPrices", [])]
    check(prices and prices == sorted(prices), "sorted by price")
    check((r.get("refused") or "").startswith('"4,50" is not a price: a comma could be a decimal point')
          and r.get("refusedInvalid") == "true", f"a refused price says why in cafe-menu's words ({r.get('refused')!r})")
    check((r.get("saved") or "").startswith("Saved") and r.get("shownPrice") == "$47.25",
          f"a price change shows as saved once the API answered ({r.get('saved')!r}, {r.get('shownPrice')})")
    after = r.get("publicAfterMs")
    check(after is not None and after <= bound * 1000,
          f"the new price is on the public GET /products within the freshness bound ({after} ms, bound {bound} s)")
    rows = [tuple(x) for x in r.get("conflictRows", [])]
    check(r.get("colleague") == 200 and any(x[0] == "description" and x[2] == "Changed by a colleague." for x in rows),
          f"a colleague's change (412) shown field by field: {rows}")
    check(("in stock", "yes", "no") in rows and "price → $6.10" in (r.get("conflictMine") or ""),
          f"... every field they changed, and this change ({r.get('conflictMine')!r})")
    final = r.get("afterConflict") or {}
    check((r.get("conflictSaved") or "").startswith("Saved") and final.get("price_in_cents_int") == 610
          and final.get("description_str") == "Changed by a colleague." and "out of stock" in final.get("tag_str_arr", []),
          "applied on their version: this price, their description and stock, nothing overwritten blindly")
    user, old = env["STAFF_USERNAME"], r.get("historyOldPrice") or "?"
    check((r.get("historySaved") or "").startswith("Saved") and r.get("historyFocus") == "history-close",
          f"a price changed, then its History opened with the focus on Close ({r.get('historySaved')!r}, {r.get('historyFocus')})")
    check(f"Price: {old} → $7.35" in (r.get("historyChange") or "") and f"by {user}" in (r.get("historyChange") or ""),
          f"... the change in the History within 15 s: the old price and the new, by {user} ({r.get('historyChange')!r})")
    check(r.get("historyEarlier") == 1, "... the version before it offers 'Undo to this'")
    old_cents = int(old.replace("$", "").replace(".", "")) if re.fullmatch(r"\$\d+\.\d\d", old) else None
    check((r.get("undoStatus") or "").startswith("Undone") and r.get("undoTable") == old and r.get("undoApi") == old_cents,
          f"undone to it: the table shows {old} again, and so does the API ({r.get('undoStatus')!r}, {r.get('undoTable')}, "
          f"{r.get('undoApi')})")
    check(f"Price: $7.35 → {old}" in (r.get("undoChange") or "") and f"by {user}" in (r.get("undoChange") or ""),
          f"... the undo is itself a change in the History ({r.get('undoChange')!r})")
    check(r.get("historyFocusBack") == "History of chocolate cake slice",
          f"Escape closes the History, the focus back on its button ({r.get('historyFocusBack')!r})")
    check("chocolate cake slice" in (r.get("recentChange") or "") and f"Price: {old} → $7.35" in (r.get("recentChange") or "")
          and f"Price: $7.35 → {old}" in (r.get("recentUndo") or ""),
          f"Recent changes: the change and its undo, by product ({r.get('recentChange')!r}, {r.get('recentUndo')!r})")
    shown, older = r.get("recentShown") or 0, r.get("recentOlder")
    check(older > shown if older is not None else 0 < shown < 20,
          f"... older changes a page at a time ('Show older': {shown} then {older})")
    check(r.get("staleColleague") == 200 and (r.get("staleStatus") or "").startswith("Not undone")
          and r.get("staleApi") == 625 and r.get("staleTable") == "$6.25",
          f"an undo after a colleague's change (412): not undone, not retried, their version shown ({r.get('staleStatus')!r}, "
          f"{r.get('staleApi')}, {r.get('staleTable')})")
    check("could not be read" in (r.get("historyDown") or "") and "could not be read" in (r.get("recentDown") or "")
          and r.get("historyDownMenu") is True,
          f"the history's routes failing: said in the dialog and the view, the menu still works ({r.get('historyDown')!r})")
    added = r.get("addedApi") or {}
    check((r.get("added") or "").startswith("Added") and added.get("price_in_cents_int") == 375
          and added.get("tag_str_arr") == ["savoury", "scone"], f"a product added ({r.get('added')!r})")
    check(r.get("removeAsks") == "Remove e2e page scone?" and r.get("removedApi") == 404, "removed, after asking")
    bad_preview = r.get("badPreview") or ""
    check(r.get("badPreviewState") == "rejected" and "Nothing written yet" in bad_preview and "would be rejected" in bad_preview
          and re.search(r"\b2\b.*price", bad_preview) and re.search(r"\b3\b.*name", bad_preview)
          and r.get("badPreviewLoad") == 0 and r.get("badPreviewFocus") == "preview-title",
          f"a file the loader would reject: its preview lists each problem by record and field, offers no Load button, "
          f"the focus on its heading ({bad_preview[:300]!r})")
    check(r.get("badApi") == 404 and "nothing was written" in (r.get("badClosed") or ""),
          f"... nothing written; Escape closes it ({r.get('badClosed')!r})")
    big = r.get("bigPreview") or ""
    check(r.get("bigPreviewState") == "skipped" and "too large to preview" in big and "Load it" in big,
          f"a file over the preview's 4 MB: not sent to it, said so, Load it offered ({big[:200]!r})")
    bad_text = r.get("badReport") or ""
    check(r.get("badOutcome") == "rejected" and "nothing was written" in bad_text
          and re.search(r"\b2\b.*price", bad_text) and re.search(r"\b3\b.*name", bad_text) and r.get("badUndo") == 0,
          f"... loaded, the loader rejects it: 'nothing was written', each problem by record and field, nothing to undo "
          f"({bad_text[:300]!r})")
    preview = r.get("goodPreview") or ""
    check(r.get("goodPreviewState") == "loaded" and "Nothing written yet" in preview and "would add 2 new products" in preview
          and r.get("goodPreviewCounts") == [3, 2, 0, 1] and "e2e page muffin" in preview and "e2e page flapjack" in preview,
          f"a good file's preview: what it would add, by name ({r.get('goodPreviewCounts')}, {preview[:300]!r})")
    check(re.search(r"apple pie slice \(record 3\).*price\t\$\d+\.\d\d\t\$0\.01", preview, re.S)
          and re.search(r"Checked against the menu: [\d.]+ read units?", preview),
          "... its conflict field by field (on the menu, in the file), and the read units the check cost")
    check(r.get("goodPreviewApi") == 404 and r.get("goodPreviewRows") is True,
          "... and nothing written: not on the API, the table as it was")
    check(r.get("goodPreviewFocus") == "preview-title" and r.get("previewTab") == "Load it",
          f"... the focus on the preview's heading, Tab to Load it ({r.get('goodPreviewFocus')}, {r.get('previewTab')!r})")
    good_text = r.get("goodReport") or ""
    check(r.get("goodOutcome") == "loaded" and "2 new products added" in good_text and "Conflicts" in good_text
          and "apple pie slice" in good_text and r.get("goodReportCounts") == r.get("goodPreviewCounts"),
          f"Load it: the load report's counts are the preview's ({r.get('goodReportCounts')}, {good_text[:300]!r})")
    check(r.get("undoColleague") == 200 and r.get("undoAskFocus") == "Yes, undo" and r.get("undoKept") == "Undo this load",
          f"Undo this load asks first (Escape keeps it) ({r.get('undoAskFocus')!r}, {r.get('undoKept')!r})")
    undone = r.get("undoneText") or ""
    check(r.get("loadUndone") == "done" and "Undone: 1 removed; 1 kept (changed since)." in undone
          and f"e2e page flapjack — by {env['STAFF_USERNAME']} (now version 2)" in undone,
          f"... undone: what it added removed, the one changed since kept and who changed it ({undone!r})")
    check(r.get("undoneRows") == {"muffin": False, "flapjack": True} and r.get("undoneApi") == [404, 275],
          f"... the removed product gone from the table and the API, the kept one as the colleague left it "
          f"({r.get('undoneRows')}, {r.get('undoneApi')})")
    check("50 % across and 40 % down" in (r.get("photoFocusLabel") or ""),
          f"a photo chosen, its picture's centre moved by keyboard ({r.get('photoFocusLabel')!r})")
    check(r.get("photoOutcome") == "done" and (r.get("photoStatus") or "").startswith("Done: the website shows")
          and r.get("photoNow") == [360, 240] and r.get("photoThumb") == [360, 240],
          f"the photo saved from the page: done, the website's new picture shown in the dialog and the row "
          f"({r.get('photoStatus')!r}, {r.get('photoNow')}, {r.get('photoThumb')})")
    check("could not be read as a photo" in (r.get("notPhotoStatus") or "") and r.get("notPhotoSave") is True,
          f"a text file named .jpg: said so before anything is sent, nothing to save ({r.get('notPhotoStatus')!r})")
    check(r.get("phoneWidth") == 375 and r.get("phoneUploadWidth") == 375 and r.get("phonePreviewWidth") == 375
          and (r.get("phonePhotoWidth") or 999) <= 375
          and (r.get("phoneHistoryWidth") or 999) <= 375 and r.get("phoneRecentWidth") == 375,
          f"at 375 px nothing is wider than the screen ({r.get('phoneWidth')}, {r.get('phoneUploadWidth')}, {r.get('phonePreviewWidth')}, "
          f"{r.get('phonePhotoWidth')}, {r.get('phoneHistoryWidth')}, {r.get('phoneRecentWidth')})")
    check("Your session has ended" in (r.get("expiredNotice") or "") and "Not saved" in (r.get("expiredStatus") or "")
          and r.get("expiredApi") == 395, f"an expired session: nothing sent, said so ({r.get('expiredNotice')!r})")
    check((r.get("kept") or "").strip() == "garlic bagel: price → $4.15" and (r.get("keptSaved") or "").startswith("Saved")
          and r.get("keptApi") == 415, f"signed in again, what was typed was kept and then saved ({r.get('kept')!r})")
    check("refused" in (r.get("refusedNotice") or "") and r.get("refusedApi") == 415,
          f"a token the API refuses: back to the sign-in, nothing written ({r.get('refusedNotice')!r})")
    check(r.get("signedOutToken") is None and r.get("signedOutAddress") == page, "signed out: back on the page, no token kept")
    errors = [e for e in r.get("console", []) if not EXPECTED_LOAD_ERRORS.match(e)] + r.get("pageErrors", [])
    check(not errors and "console" in r, f"no errors in the browser console ({errors[:5]})")
    shots = sorted(p.name for p in system.state.glob("staff-*.png"))
    check(len(shots) >= 9, f"screenshots {shots}")
