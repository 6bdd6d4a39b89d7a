#!/usr/bin/env python3
"""`make spike`: a traffic spike on the local API, bounded, on loopback. The local system
(scripts/run-local.sh: 4 instances of each function, their list caches on, FRESHNESS_SECONDS=5)
with the 5,000-product menu loaded; wrk drives both lists as hard as this machine can for
SPIKE_SECONDS (60) while a writer changes the menu through the API (a special's price every
second, a product added and removed) and a checker reads both lists all along.

Checks: no 5xx from the functions; no answer staler than the freshness bound (each value the
checker sees was current at most FRESHNESS_SECONDS before its request was sent); table reads
counted from the functions' own EMF metric lines. There is no local CloudFront: what is measured
is the functions' own cache (see docs/design.md, "The read path"). Prints 'N passed, N failed'."""
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
SECONDS = int(os.environ.get("SPIKE_SECONDS", "60"))
BOUND = 5.0  # scripts/run-local.sh's FRESHNESS_SECONDS
SPECIAL = "spike special"
JSON = {"content-type": "application/json"}


def request(method, url, body=None, headers=None):
    """e2e.request, with a failure to answer (timeout, refused) as status 0 instead of an exception."""
    try:
        return e2e.request(method, url, body, headers)
    except OSError as e:
        return 0, {}, {"error": str(e)}


def warm_up(base):
    """Every function instance started (cargo lambda watch starts them on demand) before the clock."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        statuses = [request("GET", base + path)[0] for path in ("/products", "/products/on_offer") * 8]
        if all(s == 200 for s in statuses):
            return True
        time.sleep(1)
    return False


def wrk(url, seconds, results, key):
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "30s", "--latency",
                          "-H", "Accept-Encoding: gzip, deflate, br",
                          "-s", str(ROOT / "scripts/wrk-statuses.lua"), url], capture_output=True, text=True)
    results[key] = out.stdout


class Writer(threading.Thread):
    """Changes the special's price once a second through the API, and adds then removes a product;
    records when each price became current (the PUT's answer)."""

    def __init__(self, base, stop, staff):
        super().__init__()
        self.base, self.stop, self.prices, self.failures = base, stop, [], []
        # The staff member's Authorization header (a token lasts an hour: longer than a spike).
        self.staff = staff

    def run(self):
        version, price, n = 1, 1000, 0
        while not self.stop.is_set():
            price += 1
            body = {"product_name_str": SPECIAL, "product_id_str": "sp", "price_in_cents_int": price,
                    "special_int": 1, "tag_str_arr": ["spike"]}
            status, _, _ = request("PUT", f"{self.base}/products/spike%20special", body,
                                       dict(JSON, **self.staff, **{"if-match": f'"{version}"'}))
            if status == 200:
                version += 1
                self.prices.append((time.monotonic(), price))
            else:
                self.failures.append(("PUT", status))
            name = f"spike new {n}"
            status, _, _ = request("POST", f"{self.base}/products",
                                       {"product_name_str": name, "product_id_str": "n", "price_in_cents_int": 5},
                                       dict(JSON, **self.staff))
            if status != 201:
                self.failures.append(("POST", status))
            status, _, _ = request("DELETE", f"{self.base}/products/spike%20new%20{n}",
                                       headers={"if-match": '"1"', **self.staff})
            if status != 204:
                self.failures.append(("DELETE", status))
            n += 1
            self.stop.wait(1.0)


class Checker(threading.Thread):
    """Reads both lists all along; records (request sent, price seen) for the special."""

    def __init__(self, base, stop):
        super().__init__()
        self.base, self.stop, self.seen, self.failures = base, stop, [], []

    def run(self):
        while not self.stop.is_set():
            for path in ("/products/on_offer", "/products"):
                sent = time.monotonic()
                status, _, body = request("GET", self.base + path, headers={"accept-encoding": "gzip"})
                if status != 200:
                    self.failures.append((path, status))
                    continue
                price = next((p["price_in_cents_int"] for p in body["product_item_arr"]
                              if p["product_name_str"] == SPECIAL), None)
                self.seen.append((sent, path, price))
            self.stop.wait(0.2)


def stale_answers(prices, seen):
    """Answers that show a price superseded more than BOUND seconds before their request was sent."""
    became = {price: at for at, price in prices}
    stale = []
    for sent, path, price in seen:
        later = [at for at, p in prices if price is not None and p > price]
        if price is None or price not in became and price != 1000:
            continue
        if later and min(later) + BOUND < sent:
            stale.append((path, price, round(sent - min(later), 2)))
    return stale


def checks(system, state):
    menu = state / "spike menu.json"
    menu.write_text(json.dumps({"product_item_arr": [
        {"product_name_str": f"spike product {i:05}", "product_id_str": "s", "price_in_cents_int": i,
         "tag_str_arr": ["spike"], **({"special_int": 1} if i % 10 == 0 else {})} for i in range(4999)]
        + [{"product_name_str": SPECIAL, "product_id_str": "sp", "price_in_cents_int": 1000, "special_int": 1,
            "tag_str_arr": ["spike"]}]}))
    # As the demo staff member, logged in as make run logs in for the sample menu.
    upload = subprocess.run([str(e2e.CLI), "--json", "upload", str(menu)],
                            env=e2e.cli_environment(system), capture_output=True, text=True, timeout=600)
    e2e.check(upload.returncode == 0 and '"inserted": 5000' in upload.stdout, "the 5,000-product menu is loaded")
    e2e.check(warm_up(system.base), "every function instance answers before the spike starts")
    log_path = state / "logs/functions.log"
    log_start = log_path.stat().st_size
    stop = threading.Event()
    writer, checker = Writer(system.base, stop, system.staff()), Checker(system.base, stop)
    results = {}
    load = [threading.Thread(target=wrk, args=(system.base + path, SECONDS, results, path))
            for path in ("/products", "/products/on_offer")]
    for t in [*load, writer, checker]:
        t.start()
    for t in load:
        t.join()
    stop.set()
    writer.join()
    checker.join()

    requests_total = 0
    for path, out in results.items():
        summary = next((line for line in out.splitlines() if "requests in" in line), "?").strip()
        rate = next((line for line in out.splitlines() if line.startswith("Requests/sec")), "?").strip()
        counts = {key: int(n) for key, n in re.findall(r"^status (.+): (\d+)$", out, re.M)}
        requests_total += int(re.search(r"(\d+) requests in", out).group(1)) if "requests in" in out else 0
        ours = {key: n for key, n in counts.items() if "emulator" not in key}
        emulator = sum(n for key, n in counts.items() if "emulator" in key)
        latency = [" ".join(line.split()) for line in out.splitlines() if line.strip().startswith(("50%", "99%"))]
        e2e.check("requests in" in out and set(ours) <= {"200", "304"},
                  f"wrk {path}: {summary}, {rate}; statuses {counts}; latency {latency}")
        if emulator:
            print(f"       {emulator} of them answered 500 by cargo lambda watch itself, not by the function")
    log = log_path.read_bytes()[log_start:].decode(errors="replace")
    served = collections.Counter(re.findall(r'request route="([^"]+)" status=(\d+)', log))
    e2e.check(not any(status.startswith("5") for _, status in served),
              f"no 5xx from the functions: {dict(served)}")
    e2e.check("panicked" not in log, "no panic in the functions' log")
    e2e.check(not writer.failures and len(writer.prices) >= SECONDS // 2,
              f"{len(writer.prices)} price changes and as many products added and removed through the API, "
              f"all answered normally {writer.failures[:5]}")
    stale = stale_answers(writer.prices, checker.seen)
    e2e.check(not checker.failures and not stale,
              f"{len(checker.seen)} checked answers, none staler than the {BOUND:g} s bound "
              f"{(checker.failures + stale)[:5]}")
    metrics = [json.loads(line) for line in log.splitlines() if line.startswith("{") and "ReadUnits" in line]
    reads = sum(1 for m in metrics if m["ReadUnits"] > 0)
    units = sum(m["ReadUnits"] for m in metrics)
    hits = sum(m.get("CacheHits", 0) for m in metrics)
    e2e.check(metrics and reads < len(metrics) / 10,
              f"table reads: {reads} for {len(metrics)} list requests the functions answered "
              f"({hits} from their caches), {units:g} RCU; wrk sent {requests_total}")


if __name__ == "__main__":
    e2e.ensure_wrk()
    e2e.run_checks("spike", checks, client_rate_limit=False)
