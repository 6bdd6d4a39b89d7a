#!/usr/bin/env python3
"""`make soak`: a bounded soak on loopback. The local system (scripts/run-local.sh) on free ports;
wrk drives GET /products and GET /products/on_offer (as browsers ask: gzip accepted) for SOAK_SECONDS (60) while a bulk load of
5,000 products runs through S3 and the bulk loader. Checks: no errors, no memory growth of the
function processes (RSS once the loaded menu is being served vs at the end), and the final table exactly as expected.
Prints 'N passed, N failed'."""
import collections
import json
import os
import pathlib
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import e2e  # noqa: E402  (the local-system driver and checks)

ROOT = e2e.ROOT
SECONDS = int(os.environ.get("SOAK_SECONDS", "60"))
# The functions the soak runs (wrk reads both lists, the upload runs the loader); the product
# writer gets no request, so it has no process to measure.
MEASURED = ("menu-reader", "specials-reader", "bulk-loader")


def function_rss():
    """RSS (MB) of each running function process of the local system."""
    out = subprocess.run(["ps", "-eo", "rss=,args="], capture_output=True, text=True).stdout
    sizes = {}
    for line in out.splitlines():
        rss, _, args = line.strip().partition(" ")
        for name in ("menu-reader", "specials-reader", "product-writer", "bulk-loader"):
            if args.startswith(str(ROOT / "target/debug" / name)) or args.endswith(f"/debug/{name}"):
                sizes[name] = int(rss) / 1024
    return sizes


def wrk(url, seconds, results, key):
    out = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "--timeout", "30s", "--latency",
                          # As the website's visitors ask: browsers accept gzip.
                          "-H", "Accept-Encoding: gzip, deflate, br",
                          "-s", str(ROOT / "scripts/wrk-statuses.lua"), url], capture_output=True, text=True)
    results[key] = out.stdout


def checks(system, state):
    # Warm up every reader, then take the baseline memory.
    for _ in range(50):
        e2e.request("GET", system.base + "/products")
        e2e.request("GET", system.base + "/products/on_offer")
    menu = state / "soak menu.json"
    menu.write_text(json.dumps({"product_item_arr": [
        {"product_name_str": f"soak product {i:05}", "product_id_str": "s", "price_in_cents_int": i,
         "tag_str_arr": ["soak"], **({"special_int": 1} if i % 10 == 0 else {})} for i in range(5000)]}))
    results = {}
    readers = [threading.Thread(target=wrk, args=(system.base + path, SECONDS, results, path))
               for path in ("/products", "/products/on_offer")]
    for t in readers:
        t.start()
    time.sleep(2)
    # As the demo staff member, logged in as make run logs in for the sample menu.
    upload = subprocess.run([str(e2e.CLI), "--json", "upload", str(menu)],
                            env=e2e.cli_environment(system), capture_output=True, text=True, timeout=600)
    # The readers' memory follows the menu's size; the baseline is taken once the loaded menu
    # has been served for a while, and growth is judged from there to the end.
    time.sleep(10)
    before = function_rss()
    for t in readers:
        t.join()
    after = function_rss()
    for path, out in results.items():
        requests = next((line for line in out.splitlines() if "requests in" in line), "?").strip()
        counts = {key: int(n) for key, n in re.findall(r"^status (.+): (\d+)$", out, re.M)}
        ours = {key: n for key, n in counts.items() if "emulator" not in key}
        emulator = sum(n for key, n in counts.items() if "emulator" in key)
        sockets = [line.strip() for line in out.splitlines() if "Socket errors" in line]
        latency = [" ".join(line.split()) for line in out.splitlines() if line.strip().startswith(("50%", "99%"))]
        e2e.check("requests in" in out and set(ours) <= {"200", "304"} and not sockets,
                  f"wrk {path} for {SECONDS} s: {requests}; statuses {counts}; latency {latency}")
        if emulator:
            # cargo lambda watch itself, not our code: see docs/testing.md on make soak.
            print(f"       {emulator} of them answered 500 by cargo lambda watch itself, not by the function")
        if sockets or not set(ours) <= {"200", "304"}:
            print(out)
    log = (state / "logs/functions.log").read_text(errors="replace")
    served = collections.Counter(re.findall(r'request route="([^"]+)" status=(\d+)', log))
    e2e.check(all(status in ("200", "304") for _, status in served),
              f"every request the functions logged succeeded: {dict(served)}")
    e2e.check("panicked" not in log, "no panic in the functions' log")
    e2e.check(upload.returncode == 0 and '"inserted": 5000' in upload.stdout,
              "the concurrent bulk load inserted 5,000 products")
    # Every function the soak drives is measured at both ends: a process that no longer
    # matches (renamed binary, another target folder) or a missing baseline is a failure,
    # never a check that silently disappears.
    for name in MEASURED:
        base, mb = before.get(name), after.get(name)
        if base is None or mb is None:
            e2e.check(False, f"{name}: RSS measured at the start ({base}) and at the end ({mb}) of the soak;"
                             f" processes seen: {sorted(before)} then {sorted(after)}")
            continue
        e2e.check(mb <= base * 1.2 + 2, f"{name}: RSS {base:.1f} MB → {mb:.1f} MB")
    status, _, body = e2e.request("GET", system.base + "/products")
    names = [p["product_name_str"] for p in body["product_item_arr"]]
    soak = [n for n in names if n.startswith("soak product")]
    e2e.check(status == 200 and len(soak) == 5000 and len(set(names)) == len(names) == 5026,
              f"final table: {len(names)} products, {len(soak)} from the load, no duplicates")


if __name__ == "__main__":
    e2e.ensure_wrk()
    e2e.run_checks("soak", checks, client_rate_limit=False)
