// Uploading a menu file. First its preview: the file's own bytes sent to the API
// (POST /menu_files/preview), judged exactly as the loader judges it and compared with the menu as
// it is now, nothing written; shown as what loading it would add, what is there already, each
// conflict field by field, and what the check cost. Then, on "Load it": a presigned URL from the
// API (POST /menu_files), the file PUT straight to the bucket with progress, then this upload's
// load report (the one naming the object version the PUT created), shown as people read it: the
// verdict, the counts, the conflicts, and every problem by record number and field; beside it,
// "Undo this load" (POST /menu_files/{name}/undo?upload=<id>) takes back what that load added.
import { SessionExpired, putFile } from "./api.js";
import { valueText } from "./history.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
const WAIT_SECONDS = 330; // the loader's timeout and a little more, as cafe-menu upload waits
// The API's limit for a preview (MAX_PREVIEW_BYTES: what one request to a function can carry, less
// the rest of the event). A larger file is not sent to it: past the function's limit the refusal
// may come from AWS rather than the API, without CORS headers, which a page reads as an ended
// session. It can still be loaded (up to 20 MB).
const PREVIEW_BYTES = 4 * 1024 * 1024;
const PREVIEW_LIMIT = `${PREVIEW_BYTES / 1024 / 1024} MB`;
const SHOWN = 50; // names listed before "and N more"

// A field as people call it (the report names the wire form's fields).
const FIELD = { product_name_str: "name", product_id_str: "id", price_in_cents_int: "price",
  description_str: "description", tag_str_arr: "tags", special_int: "special" };
const field = (f) => FIELD[f] || f;
const count = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function table(caption, head, rows, numeric = []) {
  const t = el("table");
  t.append(el("caption", caption, "visually-hidden"));
  const tr = el("tr");
  for (const h of head) { const th = el("th", h); th.scope = "col"; tr.append(th); }
  t.append(el("thead"));
  t.tHead.append(tr);
  const body = el("tbody");
  for (const r of rows) {
    const row = el("tr");
    r.forEach((v, i) => row.append(el("td", String(v), numeric.includes(i) ? "n" : undefined)));
    body.append(row);
  }
  t.append(body);
  return t;
}

/** The report's tables below its counts: each conflict by record (unless `conflicts` is false: a
 * preview shows them field by field), each problem by record and field, the problems by kind
 * when not all are listed, and names used more than once. `h`: their headings' level. */
function details(r, { conflicts = true, h = "h3" } = {}) {
  const out = [];
  if (conflicts && r.conflicts?.length) {
    out.push(el(h, "Conflicts: on the menu already with other details, left as they are"));
    out.push(table("Conflicts", ["record", "product"], r.conflicts.map((x) => [x.record, x.product_name]), [0]));
  }
  if (r.problems?.length) {
    const more = r.problem_count > r.problems.length ? ` (the first ${r.problems.length} of ${r.problem_count})` : "";
    out.push(el(h, `Problems${more}`));
    out.push(table("Each problem by record and field", ["record", "product", "field", "problem"],
      r.problems.map((p) => [p.record, p.product_name ?? "", field(p.field), p.problem]), [0]));
  }
  if (r.problem_totals?.length && r.problem_count > (r.problems?.length || 0)) {
    out.push(el(h, "Problems by kind"));
    out.push(table("Problems by kind", ["field", "problem", "records"], r.problem_totals.map((t) => [field(t.field), t.problem, t.records]), [2]));
  }
  if (r.duplicates?.length) {
    out.push(el(h, "Names used more than once"));
    out.push(table("Names used more than once", ["product", "records"],
      r.duplicates.map((d) => [d.product_name, d.records.join(", ") + (d.record_count > d.records.length ? `, … (${d.record_count})` : "")])));
  }
  return out;
}

/** The report as people read it. */
export function renderReport(name, r) {
  const out = [];
  const c = r.counts || {};
  if (r.outcome === "loaded") {
    out.push(el("p", `${name} was loaded: ${count(c.inserted, "new product")} added, ${count(c.unchanged, "product")} ` +
      `already on the menu as in the file, ${count(c.conflicts, "conflict")} (on the menu with other details, left as they are).`,
    "verdict ok"));
    out.push(table("Counts", ["", "records"], [["in the file", c.records], ["added", c.inserted],
      ["already on the menu, unchanged", c.unchanged], ["conflicts (left as they are)", c.conflicts]], [1]));
  } else {
    out.push(el("p", `${name} was rejected: nothing was written. Fix the file and upload it again.`, "verdict bad"));
    if (r.reason && !r.problems?.length) out.push(el("p", r.reason));
    if (c.records) out.push(el("p", `${count(c.records, "record")} in the file, ${c.rejected} with problems.`));
  }
  return [...out, ...details(r)];
}

/** The first SHOWN of a list of names, and how many more there are. */
export function firstNames(names, shown = SHOWN) {
  return { names: names.slice(0, shown), more: Math.max(0, names.length - shown) };
}

/** Capacity units as people count them: "3 read units", "1 write unit", "2.5 read units". */
export function units(n, one) {
  const v = Math.round((Number(n) || 0) * 10) / 10;
  return `${v} ${v === 1 ? one : `${one}s`}`;
}

function names(list, label) {
  const { names: shown, more } = firstNames(list);
  const ul = el("ul", undefined, "names");
  ul.setAttribute("aria-label", label);
  ul.append(...shown.map((n) => el("li", n)));
  return more ? [ul, el("p", `and ${more} more`, "more")] : [ul];
}

/** What loading the file would do, as people read it, below the preview's heading: nothing
 * written yet, the would-be verdict, the counts and what the check cost; then `actions` (Load it,
 * Cancel: within a Tab of the heading, before any long list); then the names it would add and
 * each conflict field by field (on the menu, in the file), or, for a file it would reject, every
 * problem as the load report would list it. */
export function renderPreview(name, p, actions) {
  const r = p.report, c = r.counts || {};
  const out = [el("p", "Nothing written yet.", "note")];
  if (r.outcome !== "loaded") {
    out.push(el("p", `${name} would be rejected: loading it would write nothing. Fix the file and choose it again.`,
      "verdict bad"));
    if (r.reason && !r.problems?.length) out.push(el("p", r.reason));
    if (c.records) out.push(el("p", `${count(c.records, "record")} in the file, ${c.rejected} with problems.`));
    return [...out, actions, ...details(r, { h: "h4" })];
  }
  out.push(el("p", `Loading ${name} now would add ${count(c.inserted, "new product")}; ${count(c.unchanged, "product")} ` +
    `already on the menu as in the file; ${count(c.conflicts, "conflict")} (on the menu with other details: loading ` +
    "leaves them as they are).", "verdict ok"));
  out.push(table("Counts", ["", "records"], [["in the file", c.records], ["would be added", c.inserted],
    ["already on the menu, unchanged", c.unchanged], ["conflicts (would be left as they are)", c.conflicts]], [1]));
  out.push(el("p", `Checked against the menu: ${units(p.read_units, "read unit")}` +
    (c.write_units ? `; loading it would take ${units(c.write_units, "write unit")}.` : "."), "cost"));
  out.push(actions);
  const adds = p.would_insert || [];
  if (adds.length) out.push(el("h4", `Would be added (${adds.length})`), ...names(adds, "Would be added"));
  const conflicts = p.conflicts || [];
  if (conflicts.length) {
    out.push(el("h4", `Conflicts (${conflicts.length}): on the menu already with other details; loading leaves them as they are`));
    const { names: shown, more } = firstNames(conflicts);
    for (const x of shown) {
      const box = el("div", undefined, "conflict");
      const title = el("p");
      title.append(el("strong", x.product_name), ` (record ${x.record})`);
      box.append(title, x.fields?.length
        ? table(`How ${x.product_name} differs`, ["field", "on the menu", "in the file"],
          x.fields.map((f) => [field(f.field), valueText(f.field, f.before), valueText(f.field, f.after)]))
        : el("p", "It differs only in what the website does not show."));
      out.push(box);
    }
    if (more) out.push(el("p", `and ${more} more`, "more"));
  }
  return [...out, ...details(r, { conflicts: false, h: "h4" })];
}

/** A kept product as people read it: "lemon tart — by barista (now version 2)". */
export function keptText(k) {
  return `${k.product_name} — by ${k.by_text || "another tool"} (now version ${k.version})`;
}

/** An undone load, the line that says it: "Undone: 1 removed; 1 kept (changed since)." */
export function undoneVerdict(u) {
  const parts = [`${u.removed.length} removed`];
  if (u.kept?.length) parts.push(`${u.kept.length} kept (changed since)`);
  if (u.gone?.length) parts.push(`${u.gone.length} already gone`);
  return `Undone: ${parts.join("; ")}.`;
}

/** An undone load as people read it: the verdict, then what was removed, what was kept and by
 * whom, what was gone already, and what this load had not added. */
export function renderUndone(u) {
  const out = [el("p", undoneVerdict(u), "verdict ok")];
  if (u.removed.length) out.push(el("h4", "Removed"), ...names(u.removed, "Removed"));
  if (u.kept?.length) {
    out.push(el("h4", "Kept (changed since)"));
    const ul = el("ul", undefined, "kept");
    ul.append(...u.kept.map((k) => el("li", keptText(k))));
    out.push(ul);
  }
  if (u.gone?.length) out.push(el("h4", "Already gone (removed since)"), ...names(u.gone, "Already gone"));
  if (u.not_this_loads) {
    const one = u.not_this_loads === 1;
    out.push(el("p", `${count(u.not_this_loads, "product")} in the file ${one ? "was" : "were"} on the menu before this ` +
      `load: left as ${one ? "it is" : "they are"}.`));
  }
  return out;
}

/** The upload id a ticket's report path names (`…/report?upload=<id>`), or null. */
export function uploadOf(reportPath) {
  return new URL(reportPath, "http://page/").searchParams.get("upload");
}

function button(text, cls) {
  const b = el("button", text, cls);
  b.type = "button";
  return b;
}

export function startUploads({ api, sessionEnded, onLoaded }) {
  const input = $("file"), drop = $("drop"), preview = $("preview");
  let chosen = 0; // bumped by each file chosen: the preview of an earlier one is not shown
  input.addEventListener("change", () => {
    const file = input.files[0];
    // Cleared at once, so that choosing the same file again (fixed, say) is a change too.
    input.value = "";
    if (file) choose(file);
  });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files[0]) choose(e.dataTransfer.files[0]);
  });
  preview.addEventListener("keydown", (e) => {
    if (e.key === "Escape") preview.querySelector("button.cancel")?.click();
  });

  function say(text, cls) {
    $("report").replaceChildren(el("p", text, cls));
  }

  function hidePreview() {
    preview.hidden = true;
    preview.replaceChildren();
    delete document.body.dataset.preview;
  }

  /** A file chosen or dropped: what loading it would do, before anything is loaded. */
  async function choose(file) {
    const mine = ++chosen;
    hidePreview();
    if (!/\.json$/i.test(file.name)) {
      return say(`${file.name} is not a menu file: only files named *.json are loaded. Nothing was sent.`, "verdict bad");
    }
    if (file.size > PREVIEW_BYTES) {
      $("report").replaceChildren();
      return showPreview(file, "skipped", `${file.name} is too large to preview`, (actions) => [
        el("p", "Nothing written yet."),
        el("p", `A preview takes menu files up to ${PREVIEW_LIMIT}, and ${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB, ` +
          "so it was not checked against the menu. Load it, and the loader judges it as always: a file with any " +
          "problem is rejected whole, and nothing is written."), actions]);
    }
    say(`Checking ${file.name} against the menu (nothing is written)…`, "busy");
    try {
      const p = await api.preview(file);
      if (mine !== chosen) return;
      $("report").replaceChildren();
      if (p === null) {
        return showPreview(file, "skipped", `${file.name} is too large to preview`, (actions) => [
          el("p", "Nothing written yet."),
          el("p", `The API takes previews of menu files up to ${PREVIEW_LIMIT} and refused ${file.name} as larger. Load it, and ` +
            "the loader judges it as always: a file with any problem is rejected whole, and nothing is written."), actions]);
      }
      const loads = p.report.outcome === "loaded";
      showPreview(file, loads ? "loaded" : "rejected", `Before loading ${file.name}: what it would do`,
        (actions) => renderPreview(file.name, p, actions), loads);
    } catch (e) {
      if (mine !== chosen) return;
      if (e instanceof SessionExpired) {
        say(`${file.name} was not checked or loaded: sign in again and choose it again.`, "verdict bad");
        return sessionEnded(e.message);
      }
      $("report").replaceChildren();
      showPreview(file, "failed", `${file.name} could not be previewed`, (actions) => [
        el("p", `It could not be checked against the menu: ${e.message.replace(/\.$/, "")}. Nothing was written.`, "verdict bad"),
        el("p", "Load it without a preview, and the loader judges it as always (a file with any problem is rejected " +
          "whole, nothing written); or cancel and choose it again later."), actions]);
    }
  }

  /** The preview, its heading focused (Tab goes on to Load it), with Load it unless it would be
   * rejected, and Cancel (or Escape). `parts(actions)`: what goes under the heading. */
  function showPreview(file, state, title, parts, canLoad = true) {
    const heading = el("h3", title);
    heading.id = "preview-title";
    heading.tabIndex = -1;
    const actions = el("div", undefined, "actions");
    if (canLoad) {
      const load = button("Load it", "primary load");
      load.addEventListener("click", () => {
        hidePreview();
        upload(file);
      });
      actions.append(load);
    }
    const cancel = button(canLoad ? "Cancel" : "Close", "quiet cancel");
    cancel.addEventListener("click", () => {
      hidePreview();
      say(`${file.name} was not loaded: nothing was written.`);
      input.focus();
    });
    actions.append(cancel);
    preview.replaceChildren(heading, ...parts(actions));
    preview.hidden = false;
    document.body.dataset.preview = state;
    heading.focus();
  }

  async function upload(file) {
    const box = $("progress-box"), bar = $("progress"), label = $("progress-label");
    if (!/\.json$/i.test(file.name)) {
      return say(`${file.name} is not a menu file: only files named *.json are loaded. Nothing was sent.`, "verdict bad");
    }
    say(`Sending ${file.name}…`);
    box.hidden = false;
    // Load it is gone: the keyboard waits on the progress, then on the report.
    box.focus();
    bar.value = 0;
    label.textContent = `Sending ${file.name} (${Math.ceil(file.size / 1024)} KB)`;
    try {
      const { body: ticket } = await api.uploadTicket(file.name, file.size);
      const earlier = await api.report(ticket.report_path_str);
      const version = await putFile(ticket.upload_url_str, file, ticket.content_type_str, (done, total) => {
        bar.value = Math.round((done / total) * 100);
      });
      bar.value = 100;
      label.textContent = `${file.name} sent; the loader is checking it…`;
      say(`Waiting for the load report of ${file.name}…`);
      const started = Date.now();
      for (;;) {
        const r = await api.report(ticket.report_path_str);
        const ours = r && (version ? r.source?.version_id === version : JSON.stringify(r) !== JSON.stringify(earlier));
        if (ours) {
          const lost = document.activeElement === box || document.activeElement === document.body;
          box.hidden = true;
          const shown = renderReport(file.name, r);
          const uploadId = uploadOf(ticket.report_path_str);
          // Beside the verdict, before the tables: a load can be taken back (only by its upload id,
          // so never a colleague's later load of a file with the same name).
          if (r.outcome === "loaded" && uploadId) shown.splice(1, 0, undoLoad(ticket.file_name_str || file.name, uploadId));
          shown[0].tabIndex = -1;
          $("report").replaceChildren(...shown);
          if (lost) shown[0].focus();
          document.body.dataset.report = r.outcome;
          if (r.outcome === "loaded") onLoaded();
          return;
        }
        if (Date.now() - started > WAIT_SECONDS * 1000) {
          box.hidden = true;
          return say(`No load report for ${file.name} after ${WAIT_SECONDS} s: the load may still be running, or have failed. ` +
            "Upload it again later: a load never duplicates or overwrites.", "verdict bad");
        }
        await new Promise((ok) => setTimeout(ok, POLL_MS));
      }
    } catch (e) {
      box.hidden = true;
      if (e instanceof SessionExpired) {
        say(`${file.name} was not loaded: sign in again and choose it again.`, "verdict bad");
        return sessionEnded(e.message);
      }
      say(`${file.name} was not loaded: ${e.message}`, "verdict bad");
    } finally {
      input.value = "";
    }
  }

  /** "Undo this load", asked once more inline (Yes, undo / No, keep it; Escape keeps it), then
   * what was removed and what was kept, and the menu read again. */
  function undoLoad(name, upload) {
    const wrap = el("div", undefined, "undo-load");
    const ask = button("Undo this load", "undo-ask");
    const confirm = el("div", undefined, "confirm");
    confirm.hidden = true;
    const yes = button("Yes, undo", "danger undo-yes"), no = button("No, keep it", "quiet undo-no");
    confirm.append(el("p", `Take back this load of ${name}? The products it added are removed, except any changed ` +
      "since (those are kept, and named). Products that were on the menu before it are not touched."),
    el("div", undefined, "actions"));
    confirm.lastChild.append(yes, no);
    const status = el("p", undefined, "status");
    status.setAttribute("role", "status");
    status.tabIndex = -1;
    wrap.append(ask, confirm, status);

    ask.addEventListener("click", () => {
      ask.hidden = true;
      confirm.hidden = false;
      status.textContent = "";
      yes.focus();
    });
    no.addEventListener("click", () => {
      confirm.hidden = true;
      ask.hidden = false;
      ask.focus();
    });
    confirm.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !no.disabled) no.click();
    });
    yes.addEventListener("click", async () => {
      yes.disabled = no.disabled = true;
      status.textContent = `Undoing the load of ${name}…`;
      status.className = "status busy";
      try {
        const undone = await api.undoLoad(name, upload);
        const shown = renderUndone(undone);
        shown[0].tabIndex = -1;
        wrap.replaceChildren(...shown);
        wrap.classList.add("done");
        shown[0].focus();
        document.body.dataset.loadUndone = "done";
        onLoaded();
      } catch (e) {
        confirm.hidden = true;
        ask.hidden = false;
        yes.disabled = no.disabled = false;
        status.className = "status bad";
        document.body.dataset.loadUndone = "failed";
        if (e instanceof SessionExpired) {
          status.textContent = "Not undone: sign in again.";
          return sessionEnded(e.message);
        }
        status.textContent = `Not undone: ${e.message}`;
        status.focus();
      }
    });
    return wrap;
  }
}
