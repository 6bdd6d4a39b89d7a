// Uploading a menu file: a presigned URL from the API (POST /menu_files), the file PUT straight to
// the bucket with progress, then this upload's load report (the one naming the object version the
// PUT created), shown as people read it: the verdict, the counts, the conflicts, and every problem
// by record number and field.
import { SessionExpired, putFile } from "./api.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
const WAIT_SECONDS = 330; // the loader's timeout and a little more, as cafe-menu upload waits

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
  if (r.conflicts?.length) {
    out.push(el("h3", "Conflicts: on the menu already with other details, left as they are"));
    out.push(table("Conflicts", ["record", "product"], r.conflicts.map((x) => [x.record, x.product_name]), [0]));
  }
  if (r.problems?.length) {
    const more = r.problem_count > r.problems.length ? ` (the first ${r.problems.length} of ${r.problem_count})` : "";
    out.push(el("h3", `Problems${more}`));
    out.push(table("Each problem by record and field", ["record", "product", "field", "problem"],
      r.problems.map((p) => [p.record, p.product_name ?? "", field(p.field), p.problem]), [0]));
  }
  if (r.problem_totals?.length && r.problem_count > (r.problems?.length || 0)) {
    out.push(el("h3", "Problems by kind"));
    out.push(table("Problems by kind", ["field", "problem", "records"], r.problem_totals.map((t) => [field(t.field), t.problem, t.records]), [2]));
  }
  if (r.duplicates?.length) {
    out.push(el("h3", "Names used more than once"));
    out.push(table("Names used more than once", ["product", "records"],
      r.duplicates.map((d) => [d.product_name, d.records.join(", ") + (d.record_count > d.records.length ? `, … (${d.record_count})` : "")])));
  }
  return out;
}

export function startUploads({ api, sessionEnded, onLoaded }) {
  const input = $("file"), drop = $("drop");
  input.addEventListener("change", () => { if (input.files[0]) upload(input.files[0]); });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]);
  });

  function say(text, cls) {
    $("report").replaceChildren(el("p", text, cls));
  }

  async function upload(file) {
    const box = $("progress-box"), bar = $("progress"), label = $("progress-label");
    if (!/\.json$/i.test(file.name)) {
      return say(`${file.name} is not a menu file: only files named *.json are loaded. Nothing was sent.`, "verdict bad");
    }
    say(`Sending ${file.name}…`);
    box.hidden = false;
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
          box.hidden = true;
          $("report").replaceChildren(...renderReport(file.name, r));
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
}
