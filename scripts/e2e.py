#!/usr/bin/env python3
"""End to end: `make run` (scripts/run-local.sh) on free ports and a state folder of its own,
driven with real HTTP requests; a menu file uploaded through S3 and the bulk loader; a restart
that keeps the data; the café website's calls in a real browser (headless Chromium, cross-origin);
and, after the stop, no process left behind. Prints 'N passed, N failed'."""
import gzip
import json
import urllib.parse
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV_PY = ROOT / ".tools/venv/bin/python"
passed, failed = 0, 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"  ok   {what}")
    else:
        failed += 1
        print(f"  FAIL {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
            if r.headers.get("content-encoding") == "gzip":
                raw = gzip.decompress(raw)
            return r.status, dict(r.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, dict(e.headers), json.loads(raw) if raw else None


class LocalSystem:
    def __init__(self, state):
        self.state = state
        self.ports = {"API_PORT": free_port(), "DYNAMODB_PORT": free_port(), "S3_PORT": free_port()}
        self.base = f"http://127.0.0.1:{self.ports['API_PORT']}"
        self.process = None

    def start(self):
        env = dict(os.environ, CAFE_LOCAL_DIR=str(self.state), CAFE_WATCH_FLAGS="--ignore-changes",
                   **{k: str(v) for k, v in self.ports.items()})
        out = self.state / "run.out"
        offset = out.stat().st_size if out.exists() else 0
        self.log = open(out, "ab")
        started = time.time()
        self.process = subprocess.Popen([str(ROOT / "scripts/run-local.sh")], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        while time.time() - started < 900:
            if self.process.poll() is not None:
                raise SystemExit(f"make run exited early:\n{(self.state / 'run.out').read_text()[-3000:]}")
            if "The café backend is running" in out.read_bytes()[offset:].decode(errors="replace"):
                print(f"  (ready in {time.time() - started:.1f} s)")
                return time.time() - started
            time.sleep(0.5)
        raise SystemExit("make run did not become ready in 15 minutes")

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise

    def leftovers(self):
        """Processes still running that this system started (they carry its paths or ports)."""
        out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout
        marks = [str(self.state)] + [str(p) for p in self.ports.values()]
        return [line for line in out.splitlines()
                if any(m in line for m in marks) and "e2e.py" not in line and "ps -eo" not in line]


def products(base, path="/products"):
    status, _, body = request("GET", base + path)
    return status, [p["product_name_str"] for p in (body or {}).get("product_item_arr", [])]


def check_routes(base):
    status, names = products(base)
    check(status == 200 and len(names) == 26, f"GET /products: 200 with the 26-product sample menu ({status}, {len(names)})")
    status, headers, body = request("GET", base + "/products/on_offer", headers={"origin": "http://example.org"})
    check(status == 200 and len(body["product_item_arr"]) == 6, "GET /products/on_offer: the 6 specials")
    check(headers.get("access-control-allow-origin") == "*", "CORS header on the specials")
    status, _, _ = request("GET", base + "/products", headers={"if-none-match": headers.get("etag", "")})
    check("etag" in headers and status == 200, f"the specials' ETag does not validate the menu: 200 ({status})")
    _, first_headers, _ = request("GET", base + "/products")
    status, _, _ = request("GET", base + "/products", headers={"if-none-match": first_headers["etag"]})
    check(status == 304, f"If-None-Match gives 304 ({status})")
    _, plain_headers, plain = request("GET", base + "/products")
    _, zipped_headers, zipped = request("GET", base + "/products", headers={"accept-encoding": "gzip, deflate, br"})
    check(zipped_headers.get("content-encoding") == "gzip" and "content-encoding" not in plain_headers
          and zipped == plain, "Accept-Encoding: gzip gets the same menu gzip-compressed through the local gateway")
    scone = {"product_name_str": "e2e scone", "product_id_str": "e1", "price_in_cents_int": 350}
    json_headers = {"content-type": "application/json"}
    status, headers, body = request("POST", base + "/products", scone, json_headers)
    check(status == 201 and headers.get("location") == "/products/e2e%20scone", f"POST /products: 201 ({status})")
    status, _, body = request("POST", base + "/products", scone, json_headers)
    check(status == 409 and body["error"]["code"] == "product_exists", f"POST again: 409 ({status})")
    status, _, body = request("POST", base + "/products", {"product_name_str": ""}, json_headers)
    check(status == 400 and body["error"]["details"], f"POST invalid: 400 with details ({status})")
    dearer = dict(scone, price_in_cents_int=395)
    status, _, _ = request("PUT", base + "/products/e2e%20scone", dearer, json_headers)
    check(status == 428, f"PUT without If-Match: 428 ({status})")
    status, headers, body = request("PUT", base + "/products/e2e%20scone", dearer, dict(json_headers, **{"if-match": '"1"'}))
    check(status == 200 and body["price_in_cents_int"] == 395 and headers.get("etag") == '"2"', f"PUT with If-Match: 200 ({status})")
    status, _, _ = request("PUT", base + "/products/e2e%20scone", dearer, dict(json_headers, **{"if-match": '"1"'}))
    check(status == 412, f"PUT with a stale If-Match: 412 ({status})")
    status, headers, body = request("GET", base + "/products/e2e%20scone")
    check(status == 200 and body["version_int"] == 2 and headers.get("etag") == '"2"',
          f"GET /products/{{name}}: the product at version 2 ({status})")
    status, _, _ = request("GET", base + "/products/e2e%20scone", headers={"if-none-match": '"2"'})
    check(status == 304, f"GET /products/{{name}} with its version in If-None-Match: 304 ({status})")
    status, _, body = request("GET", base + "/products/no%20such%20thing")
    check(status == 404 and body["error"]["code"] == "product_not_found", f"GET an unknown product: 404 ({status})")
    # A name that needs every kind of encoding, through the local gateway's router.
    odd = {**scone, "product_name_str": "crème brûlée / 2+1 100%"}
    odd_path = "/products/" + urllib.parse.quote(odd["product_name_str"], safe="")
    status, headers, _ = request("POST", base + "/products", odd, json_headers)
    check(status == 201 and headers.get("location") == odd_path, f"POST an oddly named product: 201 at {headers.get('location')}")
    status, _, body = request("GET", base + odd_path)
    check(status == 200 and body.get("product_name_str") == odd["product_name_str"], f"GET it by its encoded name ({status})")
    status, _, _ = request("DELETE", base + odd_path)
    check(status == 428, f"DELETE without If-Match: 428 ({status})")
    status, _, _ = request("DELETE", base + odd_path, headers={"if-match": '"7"'})
    check(status == 412, f"DELETE with a stale If-Match: 412 ({status})")
    status, _, _ = request("DELETE", base + odd_path, headers={"if-match": '"1"'})
    check(status == 204, f"DELETE with its version: 204 ({status})")
    status, _, _ = request("GET", base + odd_path)
    check(status == 404, f"a removed product is gone ({status})")
    status, headers, body = request("HEAD", base + "/products")
    check(status == 200 and headers.get("etag") and not body, f"HEAD /products: headers, no body ({status})")
    status, headers, _ = request("OPTIONS", base + "/products", headers={"origin": "http://example.org", "access-control-request-method": "POST"})
    check(status == 204 and "POST" in headers.get("access-control-allow-methods", ""), f"preflight: 204 ({status})")


def check_upload(system):
    menu = system.state / "spring menu.json"
    menu.write_text(json.dumps({"product_item_arr": [
        {"product_name_str": "rhubarb crumble", "product_id_str": "s1", "price_in_cents_int": 650,
         "description_str": "Spring rhubarb.", "tag_str_arr": ["on offer"], "special_int": 1},
        {"product_name_str": "apple pie", "product_id_str": "a447", "price_in_cents_int": 4595,
         "description_str": "Frank's homemade pie with flakey crust - yum!", "tag_str_arr": ["whole pie", "on offer"],
         "special_int": 1}]}))
    env = dict(os.environ, CAFE_LOCAL_DIR=str(system.state))
    out = subprocess.run([str(VENV_PY), str(ROOT / "scripts/local_s3.py"), "upload", str(menu)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    check(out.returncode == 0 and '"inserted": 1' in out.stdout and '"unchanged": 1' in out.stdout,
          "make upload: the loader inserts the new product, finds the existing one unchanged")
    if out.returncode != 0:
        print(out.stdout[-2000:], out.stderr[-2000:])
    _, names = products(system.base)
    check("rhubarb crumble" in names, "the uploaded product is on the menu")
    _, specials = products(system.base, "/products/on_offer")
    check("rhubarb crumble" in specials, "and among the specials")


def card_text(item):
    """A product's card as the page's render() writes it: name, price in dollars, a [sale] badge
    per "on offer" tag, description."""
    badges = " [sale]" * item["tag_str_arr"].count("on offer")
    return f"{item['product_name_str']} ${item['price_in_cents_int'] / 100:.2f}{badges} - {item['description_str']}"


def check_browser(system):
    """The website's calls, cross-origin, in headless Chromium: jQuery $.get of both routes."""
    node_modules = ROOT / ".tools/node/node_modules"
    chromium = "/usr/bin/chromium"
    if not (node_modules / "playwright-core").exists() or not (node_modules / "jquery").exists() or not os.path.exists(chromium):
        check(False, "browser tools installed (scripts/install-browser-tools.sh)")
        return
    site = system.state / "site"
    site.mkdir(exist_ok=True)
    (site / "jquery.min.js").write_bytes((node_modules / "jquery/dist/jquery.min.js").read_bytes())
    (site / "index.html").write_text("""<!doctype html><html><head><meta charset="utf-8">
<script src="jquery.min.js"></script></head><body><h1>Café</h1><div id="offer"></div><div id="all"></div>
<script>
const API_GW_BASE_URL_STR = new URLSearchParams(location.search).get("api");
function render(target, data) {
  data.product_item_arr.forEach(function (item) {
    var badges = "";
    for (var i = 0; i < item.tag_str_arr.length; i++) {
      if (item.tag_str_arr[i] === "on offer") badges += " [sale]";
    }
    $(target).append($("<div class='card'>").attr("data-id", item.product_id_str).text(
      item.product_name_str + " $" + (item.price_in_cents_int / 100).toFixed(2) + badges + " - " + item.description_str));
  });
}
$.get(API_GW_BASE_URL_STR + "/products/on_offer", function (data) {
  render("#offer", data);
  $.get(API_GW_BASE_URL_STR + "/products", function (all) { render("#all", all); document.title = "done"; })
   .fail(function () { document.title = "failed"; });
}).fail(function () { document.title = "failed"; });
</script></body></html>""")
    site_port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(site_port), "--bind", "127.0.0.1"],
                              cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        # Another origin than the API's: localhost vs 127.0.0.1, another port.
        page_url = f"http://localhost:{site_port}/index.html?api={system.base}"
        script = f"""
const {{ chromium }} = require('playwright-core');
(async () => {{
  const browser = await chromium.launch({{ executablePath: '{chromium}', args: ['--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] }});
  const page = await browser.newPage();
  await page.goto('{page_url}');
  await page.waitForFunction(() => document.title === 'done' || document.title === 'failed', null, {{ timeout: 30000 }});
  const offer = await page.$$eval('#offer .card', cards => cards.map(c => c.textContent));
  const all = await page.$$eval('#all .card', cards => cards.map(c => c.textContent));
  await page.screenshot({{ path: '{system.state}/browser.png', fullPage: true }});
  console.log(JSON.stringify({{ title: await page.title(), offer, all }}));
  await browser.close();
}})().catch(e => {{ console.log(JSON.stringify({{ error: String(e) }})); process.exit(1); }});
"""
        out = subprocess.run(["node", "-e", script], cwd=ROOT / ".tools/node", capture_output=True, text=True, timeout=120)
        result = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {"error": out.stderr[-500:]}
        check(result.get("title") == "done", f"the page loaded both lists cross-origin ({result.get('error') or result.get('title')})")
        offer, everything = result.get("offer", []), result.get("all", [])
        _, _, specials = request("GET", system.base + "/products/on_offer")
        expected = [card_text(item) for item in specials["product_item_arr"]]
        # Every special, as the page renders the API's answer (schemathesis adds specials of its
        # own, without the "on offer" tag, so only the café's carry the sale badge).
        check(len(offer) >= 6 and offer == expected and sum("[sale]" in c for c in offer) >= 6,
              f"{len(offer)} special cards rendered, each as the page renders the API's special, the café's with their sale badge")
        if offer != expected:
            print(f"       rendered {offer}\n       expected {expected}")
        check(len(everything) >= 26 and all("undefined" not in c for c in everything), f"{len(everything)} menu cards, none with 'undefined'")
    finally:
        server.terminate()
        server.wait()


def check_schemathesis(system, max_examples, seed=None):
    """Property-based tests of the running API from openapi.yaml (schemathesis). The local copy of
    the document drops `security`: `make run` has no IAM in front of the write routes."""
    import yaml
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    for operations in spec["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict):  # path-level `parameters` is a list
                operation.pop("security", None)
    spec["components"].pop("securitySchemes", None)
    local_spec = system.state / "openapi-local.yaml"
    local_spec.write_text(yaml.safe_dump(spec, sort_keys=False))
    command = [str(ROOT / ".tools/venv/bin/schemathesis"), "--config-file", str(ROOT / "schemathesis.toml"),
               "run", str(local_spec), "--url", system.base,
               "--checks", "all",
               # 404 for a method a path does not declare comes from the gateway (API Gateway or
               # cargo lambda watch), not from us; a missing If-Match is 428 (RFC 6585), which
               # this check does not know.
               "--exclude-checks", "unsupported_method,missing_required_header",
               "--max-examples", str(max_examples), "--workers", "1"]
    if seed is not None:
        command += ["--seed", str(seed)]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="schemathesis_hooks", PYTHONPATH=str(ROOT / "scripts"))
    # Run from the state folder: schemathesis and Hypothesis keep their caches in the working
    # directory, and a write into the project makes `make run`'s watcher restart the functions.
    out = subprocess.run(command, cwd=system.state, env=env, capture_output=True, text=True, timeout=1800)
    summary = [line for line in out.stdout.splitlines() if "generated" in line or "failures" in line or "passed" in line]
    check(out.returncode == 0, f"schemathesis, {max_examples} examples per operation: {' / '.join(summary[-2:]).strip()}")
    if out.returncode != 0:
        print(out.stdout[-6000:])


def main():
    if sys.argv[1:2] == ["--fuzz-api"]:
        return fuzz_api(int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
    state = pathlib.Path(tempfile.mkdtemp(prefix="cafe-e2e-"))
    system = LocalSystem(state)
    print(f"== starting the local system (state in {state}, ports {system.ports})")
    first = system.start()
    try:
        print("== routes")
        check_routes(system.base)
        print("== schemathesis")
        check_schemathesis(system, 40, seed=20261123)
        print("== upload")
        check_upload(system)
        print("== browser")
        check_browser(system)
        print("== restart")
        _, before = products(system.base)
        system.stop()
        check(not system.leftovers(), f"no process left after the stop {system.leftovers()}")
        second = system.start()
        _, names = products(system.base)
        check("rhubarb crumble" in names and "e2e scone" in names and names == before,
              f"after a restart the data is still there ({len(names)} products)")
        log = (state / "run.out").read_text()
        check(log.count("first start: loading the café's sample menu") == 1, "the sample menu is loaded on the first start only")
        print(f"  (ready in {first:.1f} s the first time, {second:.1f} s after)")
    finally:
        if system.process and system.process.poll() is None:
            system.stop()
    time.sleep(0.5)
    left = system.leftovers()
    check(not left, f"no process left after the last stop {left}")
    print(f"e2e: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def fuzz_api(max_examples):
    """`make fuzz-api`: a longer schemathesis run, with a random seed (printed for replay)."""
    state = pathlib.Path(tempfile.mkdtemp(prefix="cafe-fuzz-api-"))
    system = LocalSystem(state)
    system.start()
    try:
        check_schemathesis(system, max_examples)
    finally:
        system.stop()
    print(f"fuzz-api: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
