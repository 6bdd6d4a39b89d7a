"""A function run as Lambda runs it, for bench.py's `aws-share` section: its process started under
the Runtime API server (runtime_api.py), its init at full speed (Lambda gives the init phase burst
CPU, up to 10 s), then every invoke held to the CPU share of its memory size by a cgroup v1 CPU
quota, and every call to DynamoDB and S3 over TLS through tls_terminator.py.

What it stands in for, and how it differs:
- The share: Lambda gives 1 vCPU at 1,769 MB and a proportional share below (AWS's documented
  ratio; 128 MB ≈ 7.2 %). Here a CFS quota of `period × MB ÷ 1,769` per `PERIOD_US` holds the
  process (all its threads) to that share of one core of this machine's CPU, which is not a
  Graviton core. How Lambda slices the share in time is not documented; the period is ours.
- TLS: a certificate of the bench's own (RSA 2048, signed by a CA of the bench's own, as AWS's
  endpoints present RSA 2048 chains), trusted through SSL_CERT_FILE (the Rust SDK's rustls reads the
  system's roots through rustls-native-certs, which honours it) and AWS_CA_BUNDLE (boto3), both
  set only in the bench's environment: nothing that ships trusts it. The bundle is the system's
  roots plus the bench's CA, so loading the roots costs what it costs on Lambda.
- No network: the terminator is on this machine (AWS's endpoints are ~1 ms away in the region)."""
import contextlib
import os
import pathlib
import shutil
import statistics
import subprocess
import sys

import runtime_api

CGROUP_ROOT = pathlib.Path("/sys/fs/cgroup/cpu")
PERIOD_US = 100_000  # the CFS default period (100 ms); the quota is the share of it
MB_PER_VCPU = 1769  # AWS: "at 1,769 MB, a function has the equivalent of one vCPU"
HERE = pathlib.Path(__file__).resolve().parent
SYSTEM_ROOTS = [pathlib.Path("/etc/ssl/certs/ca-certificates.crt"), pathlib.Path("/etc/pki/tls/certs/ca-bundle.crt")]


def share(memory_mb):
    """The fraction of one vCPU a function of `memory_mb` gets."""
    return memory_mb / MB_PER_VCPU


def why_not_available():
    """None if this machine can hold a process to a CPU share, else why not."""
    if not (CGROUP_ROOT / "cpu.cfs_quota_us").exists():
        return f"no cgroup v1 cpu controller at {CGROUP_ROOT}"
    if os.geteuid() != 0:
        return "creating a cgroup needs root"
    return None


@contextlib.contextmanager
def cpu_groups():
    """A parent cgroup for the bench; yields `group(memory_mb)` → a path whose cgroup.procs admits
    a process to that share. Removed on the way out."""
    parent = CGROUP_ROOT / f"cafe-bench-{os.getpid()}"
    parent.mkdir(exist_ok=True)
    made = {}

    def group(memory_mb):
        if memory_mb not in made:
            path = parent / f"mb{memory_mb}"
            path.mkdir(exist_ok=True)
            (path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (path / "cpu.cfs_quota_us").write_text(str(round(PERIOD_US * share(memory_mb))))
            made[memory_mb] = path
        return made[memory_mb]

    try:
        yield group
    finally:
        for path in list(made.values()) + [parent]:
            with contextlib.suppress(OSError):
                path.rmdir()


@contextlib.contextmanager
def tls_endpoints(work, upstreams):
    """TLS terminators in front of each plain `host:port` in UPSTREAMS (a dict name → URL); yields
    (name → https URL, the CA bundle's path)."""
    tls = work / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (tls / n for n in ["ca.key", "ca.pem", "endpoint.key", "endpoint.csr", "endpoint.pem"])
    quiet = {"check": True, "capture_output": True}
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
                    "-days", "2", "-subj", "/CN=cafe-menu bench CA"], **quiet)
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                    "-subj", "/CN=127.0.0.1"], **quiet)
    extensions = tls / "san.cnf"
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                    "-out", cert, "-days", "2", "-extfile", extensions], **quiet)
    # The server presents its certificate and the CA, as AWS's endpoints send their chain.
    chain = tls / "chain.pem"
    chain.write_bytes(cert.read_bytes() + ca.read_bytes())
    bundle = tls / "bundle.pem"
    roots = next((p for p in SYSTEM_ROOTS if p.exists()), None)
    bundle.write_bytes((roots.read_bytes() if roots else b"") + ca.read_bytes())
    terminators, urls = [], {}
    try:
        for name, url in upstreams.items():
            hostport = url.split("://", 1)[1].rstrip("/")
            process = subprocess.Popen([sys.executable, str(HERE / "tls_terminator.py"), str(chain), str(key), hostport],
                                       stdout=subprocess.PIPE, text=True)
            terminators.append(process)
            urls[name] = f"https://127.0.0.1:{process.stdout.readline().strip()}"
        yield urls, bundle
    finally:
        for process in terminators:
            process.kill()
            process.wait()


def run(command, events, env, group, timeout=300, cwd=None):
    """COMMAND started as Lambda starts a function, its init at full speed, then admitted to GROUP
    (a cgroup path, or None for a full core) and handed EVENTS one after another. Returns init
    and first-response times, the later events' latencies (ms) and the answers."""
    def admit(pid):
        if group is not None:
            (group / "cgroup.procs").write_text(str(pid))

    result = runtime_api.serve(command, events, env, timeout=timeout, inherit_env=False, cwd=cwd, on_init=admit,
                               stderr=subprocess.DEVNULL)
    answers = result["answers"]
    problems = []
    if result["init_error"]:
        problems.append(f"init error: {result['init_error'][:300]!r}")
    if result["timed_out"]:
        problems.append(f"timed out after {timeout} s")
    if result["exit_code"] is not None:
        problems.append(f"exited with {result['exit_code']}")
    for answer in answers:
        if answer["kind"] != "response":
            problems.append(f"error: {answer['body'][:300]!r}")
            break
    if problems or len(answers) < len(events):
        raise SystemExit(f"{command[-1]} under the CPU share: {'; '.join(problems) or 'not every event answered'}")
    marks = result["marks"]
    return {"init_ms": (marks["next"] - marks["started"]) * 1000,
            "first_ms": answers[0]["seconds"] * 1000,
            "start_to_first_ms": (marks["response"] - marks["started"]) * 1000,
            "warm_ms": [a["seconds"] * 1000 for a in answers[1:]],
            "answers": answers}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def p50(values):
    return statistics.median(values)


def lambda_env(extra, bundle):
    """What Lambda sets for a function (credentials from its role, region), plus EXTRA, plus the
    bench's CA bundle. PATH only for the Python baseline's interpreter to find itself."""
    env = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench",
           "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "PATH": os.environ.get("PATH", ""),
           "SSL_CERT_FILE": str(bundle), "AWS_CA_BUNDLE": str(bundle), "RUST_LOG": "warn"}
    env.update(extra)
    return env


def python_command():
    """The Python baseline as Lambda's Python runtime would run it (awslambdaric, the same
    interface client AWS's Python images use)."""
    return [sys.executable, "-m", "awslambdaric", "py_functions.handler"]


def have_openssl():
    return shutil.which("openssl") is not None
