// A product's photo: chosen, dropped, or taken with a phone's camera; shown before it is sent as
// the website will show it (the 3:2 window around the point the person picks, at 360×240); sent
// straight to the bucket through a presigned URL with progress; then the website's picture, once
// the photo function has made it (its report says done, or why the photo was refused).
import { SessionExpired, putFile } from "./api.js";

const $ = (id) => document.getElementById(id);
export const PICTURE = { width: 360, height: 240 };
const MAX_BYTES = 15 * 1024 * 1024;
const TYPES = ["image/jpeg", "image/png", "image/webp"];
const POLL_MS = 700;
const WAIT_SECONDS = 120;
const STEP = 0.05; // an arrow key moves the focus by 5 % of the photo

/** The largest 3:2 window of a width×height photo centred as near the focus as the edges allow
 * (the photo function's own rule, shared/src/photo). */
export function cropWindow(width, height, focus) {
  const aspect = PICTURE.width / PICTURE.height;
  const [w, h] = width / height > aspect ? [height * aspect, height] : [width, width / aspect];
  const clamp = (v, max) => Math.min(Math.max(v, 0), max);
  return { left: clamp(focus.x * width - w / 2, width - w), top: clamp(focus.y * height - h / 2, height - h), width: w, height: h };
}

/** Where the website loads a product's picture: images/items/<name, spaces as _>.png. */
export function pictureUrl(websiteUrl, name) {
  return `${websiteUrl.replace(/\/$/, "")}/images/items/${encodeURIComponent(name.replace(/ /g, "_"))}.png`;
}

/** The website's picture of a product as an <img>. The website serves pictures to be checked
 * again each time (no-cache); `changed` adds a query that also passes by a copy the browser kept
 * from before (the website's own pictures may be cached longer). */
export function pictureOf(websiteUrl, name, cls, changed = false) {
  const img = document.createElement("img");
  img.className = cls;
  img.alt = `The website's picture of ${name}`;
  img.width = PICTURE.width;
  img.height = PICTURE.height;
  img.src = changed ? `${pictureUrl(websiteUrl, name)}?changed=${Date.now()}` : pictureUrl(websiteUrl, name);
  // No picture there: said in words (the website shows a broken image for it until one is set).
  img.onerror = () => {
    const none = document.createElement("span");
    none.className = `${cls} missing`;
    none.textContent = cls === "thumb" ? "No picture" : `No picture of ${name} yet: the website shows a broken image.`;
    img.replaceWith(none);
  };
  return img;
}

export function startPhotos({ api, websiteUrl, sessionEnded, onPictureChanged }) {
  const dialog = $("photo"), whole = $("photo-whole"), preview = $("photo-preview");
  let product = null, bitmap = null, file = null, focus = { x: 0.5, y: 0.5 }, busy = false;

  function say(text, cls = "") {
    const status = $("photo-status");
    status.textContent = text;
    status.className = `status ${cls}`;
  }

  function draw() {
    if (!bitmap) return;
    const scale = Math.min(1, whole.parentElement.clientWidth / bitmap.width, 320 / bitmap.height);
    whole.width = Math.round(bitmap.width * scale);
    whole.height = Math.round(bitmap.height * scale);
    const g = whole.getContext("2d");
    g.drawImage(bitmap, 0, 0, whole.width, whole.height);
    const crop = cropWindow(bitmap.width, bitmap.height, focus);
    g.fillStyle = "rgba(0,0,0,.45)";
    const [l, t, w, h] = [crop.left, crop.top, crop.width, crop.height].map((v) => v * scale);
    g.fillRect(0, 0, whole.width, t);
    g.fillRect(0, t + h, whole.width, whole.height - t - h);
    g.fillRect(0, t, l, h);
    g.fillRect(l + w, t, whole.width - l - w, h);
    g.strokeStyle = "#fff";
    g.lineWidth = 2;
    g.strokeRect(l, t, w, h);
    g.beginPath();
    g.arc(focus.x * whole.width, focus.y * whole.height, 7, 0, 2 * Math.PI);
    g.stroke();
    const p = preview.getContext("2d");
    p.imageSmoothingQuality = "high";
    p.drawImage(bitmap, crop.left, crop.top, crop.width, crop.height, 0, 0, PICTURE.width, PICTURE.height);
    whole.setAttribute("aria-label", `The whole photo: the picture is centred ${Math.round(focus.x * 100)} % across ` +
      `and ${Math.round(focus.y * 100)} % down. Click, or use the arrow keys, to move it.`);
  }

  async function choose(chosen) {
    if (!chosen || busy) return;
    file = null;
    bitmap = null;
    $("photo-save").disabled = true;
    $("photo-chosen").hidden = true;
    if (!TYPES.includes(chosen.type)) {
      return say(`${chosen.name} is not a photo the website can take (JPEG, PNG or WebP): choose another.`, "bad");
    }
    if (chosen.size > MAX_BYTES) {
      return say(`${chosen.name} is ${(chosen.size / 1048576).toFixed(1)} MB; photos may be up to 15 MB: choose a smaller one.`, "bad");
    }
    try {
      // Upright as its EXIF says, as the photo function will turn it.
      bitmap = await createImageBitmap(chosen, { imageOrientation: "from-image" });
    } catch {
      return say(`${chosen.name} could not be read as a photo (damaged, or not a photo): choose another.`, "bad");
    }
    file = chosen;
    focus = { x: 0.5, y: 0.5 };
    $("photo-chosen").hidden = false;
    draw();
    $("photo-save").disabled = false;
    say(`${chosen.name}: this is how the website will show it. Click the photo to centre it elsewhere, then save.`);
  }

  function pick(ev) {
    const r = whole.getBoundingClientRect();
    focus = { x: Math.min(Math.max((ev.clientX - r.left) / r.width, 0), 1), y: Math.min(Math.max((ev.clientY - r.top) / r.height, 0), 1) };
    draw();
  }

  whole.addEventListener("click", pick);
  whole.addEventListener("keydown", (ev) => {
    const moves = { ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], ArrowUp: [0, -STEP], ArrowDown: [0, STEP] };
    if (!moves[ev.key]) return;
    ev.preventDefault();
    const [dx, dy] = moves[ev.key];
    focus = { x: Math.min(Math.max(focus.x + dx, 0), 1), y: Math.min(Math.max(focus.y + dy, 0), 1) };
    draw();
  });
  for (const id of ["photo-file", "photo-camera"]) $(id).addEventListener("change", (ev) => choose(ev.target.files[0]));
  const drop = $("photo-drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); choose(e.dataTransfer.files[0]); });
  $("photo-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("cancel", (e) => { if (busy) e.preventDefault(); });
  $("photo-save").addEventListener("click", save);

  async function save() {
    if (!file || busy) return;
    busy = true;
    $("photo-save").disabled = true;
    const box = $("photo-progress-box"), bar = $("photo-progress");
    box.hidden = false;
    bar.value = 0;
    const name = product.product_name_str;
    try {
      const { body: ticket } = await api.call("POST", `/products/${encodeURIComponent(name)}/photo`, {
        body: { size_int: file.size, content_type_str: file.type, focus_x_num: focus.x, focus_y_num: focus.y } });
      say(`Sending the photo of ${name}…`, "busy");
      await putFile(ticket.upload_url_str, file, ticket.upload_headers_obj, (done, total) => {
        bar.value = Math.round((done / total) * 100);
      });
      bar.value = 100;
      say(`Sent; making the website's picture of ${name}…`, "busy");
      const started = Date.now();
      for (;;) {
        const { status, body: report } = await api.call("GET", ticket.report_path_str, { expect: [404] });
        if (status === 200) {
          box.hidden = true;
          if (report.outcome_str === "done") {
            say(`Done: the website shows the new picture of ${name}.`, "ok");
            $("photo-now").replaceChildren(pictureOf(websiteUrl, name, "picture", true));
            $("photo-chosen").hidden = true;
            file = null;
            $("photo-now").scrollIntoView({ block: "nearest" });
            document.body.dataset.photo = "done";
            onPictureChanged(name);
          } else {
            say(`The photo was refused: ${report.problem_str}. The picture on the website is unchanged.`, "bad");
            document.body.dataset.photo = "refused";
          }
          return;
        }
        if (Date.now() - started > WAIT_SECONDS * 1000) {
          box.hidden = true;
          return say(`No word on the photo after ${WAIT_SECONDS} s: the picture may still be in the making. Look again later.`, "bad");
        }
        await new Promise((ok) => setTimeout(ok, POLL_MS));
      }
    } catch (e) {
      box.hidden = true;
      if (e instanceof SessionExpired) {
        dialog.close();
        return sessionEnded(e.message);
      }
      say(`The photo was not saved: ${e.message}`, "bad");
    } finally {
      busy = false;
      $("photo-save").disabled = !file;
    }
  }

  /** Opens the photo dialog for a product. */
  return function open(p) {
    product = p;
    file = null;
    bitmap = null;
    delete document.body.dataset.photo;
    $("photo-title").textContent = `Photo of ${p.product_name_str}`;
    $("photo-now").replaceChildren(pictureOf(websiteUrl, p.product_name_str, "picture"));
    $("photo-chosen").hidden = true;
    $("photo-progress-box").hidden = true;
    $("photo-save").disabled = true;
    for (const id of ["photo-file", "photo-camera"]) $(id).value = "";
    say("");
    dialog.showModal();
  };
}
