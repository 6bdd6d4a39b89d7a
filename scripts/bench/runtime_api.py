#!/usr/bin/env python3
"""A minimal Lambda Runtime API (the protocol Lambda's own runtime speaks to a function process),
for measuring cold starts: it starts the function process, hands it one event, and records when
the process first asks for an event (init done), when it answers (first response), and its peak
RSS. The same server drives the Rust binaries and the Python handler under awslambdaric, and
`make package`'s start of the arm64 zips under qemu (scripts/start-packaged.py: several events per
process, a clean environment, crashes and init errors reported).

    runtime_api.py EVENT_FILE -- COMMAND...      → prints one JSON line
Environment for the function: the caller's, plus the variables Lambda sets."""
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(command, events, extra_env=None, timeout=60, inherit_env=True, stderr=subprocess.DEVNULL, cwd=None,
          on_init=None):
    """Starts COMMAND as Lambda would start a function process and hands it EVENTS, one after
    another, each after the previous one was answered. An event is bytes, or a function of the
    answers so far (a list of dicts) that returns bytes. Returns what happened:

      marks        perf_counter seconds: "started", "next" (first poll: init done), "response"
                   (first answer)
      answers      [{"kind": "response" | "error", "body": bytes, "seconds": float}], one per event
                   answered; seconds from the event handed over to its answer posted
      init_error   the body of a POST to /runtime/init/error (the function could not start), or None
      exit_code    the process's own exit (negative: the signal, as subprocess gives it) if it ended
                   before it had answered every event, else None
      peak_rss_kb  the process's VmHWM read while it waits for the next event, or None
      timed_out    True if the events were not all answered within TIMEOUT seconds

    ON_INIT(pid), if given, is called when the process first asks for an event (its init is over),
    before that event is handed over: the CPU-share section moves the process into a cgroup there.

    With inherit_env=False the process gets only EXTRA_ENV and the variables Lambda sets, as on
    Lambda (nothing of the caller's environment can stand in for a variable the template forgot)."""
    marks = {}
    answers = []
    state = {"init_error": None, "served": 0, "pid": None}
    handed = []  # perf_counter when each event was handed over
    done = threading.Event()  # every event answered, or the function reported an init error
    release = threading.Event()  # set after the RSS read: lets the last poll (held open) go
    answered = threading.Condition()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if not self.path.endswith("/invocation/next"):
                self.send_response(404)
                self.end_headers()
                return
            if "next" not in marks:
                marks["next"] = time.perf_counter()
                if on_init:
                    while state["pid"] is None:  # Popen has not returned yet
                        time.sleep(0.001)
                    on_init(state["pid"])
            with answered:
                # The next event once the previous one is answered (Lambda never overlaps them).
                answered.wait_for(lambda: len(answers) >= state["served"] or done.is_set(), timeout)
                index = state["served"]
                if index >= len(events) or done.is_set():
                    event_bytes = None
                else:
                    event = events[index]
                    event_bytes = event(list(answers)) if callable(event) else event
                    state["served"] += 1
            if event_bytes is None:
                release.wait(timeout)  # hold the last poll open: the process stays alive for the RSS read
                self.send_response(410)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Lambda-Runtime-Aws-Request-Id", f"local-request-{index + 1}")
            self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
            self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                             f"arn:aws:lambda:us-east-1:123456789012:function:{env['AWS_LAMBDA_FUNCTION_NAME']}")
            self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(event_bytes)))
            self.end_headers()
            handed.append(time.perf_counter())
            self.wfile.write(event_bytes)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            self.send_response(202)
            self.end_headers()
            if self.path.endswith("/init/error"):
                state["init_error"] = body
                done.set()
                with answered:
                    answered.notify_all()
                return
            kind = "response" if self.path.endswith("/response") else "error"
            now = time.perf_counter()
            marks.setdefault("response", now)
            with answered:
                answers.append({"kind": kind, "body": body, "seconds": now - handed[len(answers)]})
                if len(answers) >= len(events):
                    threading.Timer(0.05, done.set).start()
                answered.notify_all()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ) if inherit_env else {}
    env.update({
        "AWS_LAMBDA_FUNCTION_NAME": "bench", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench", "LAMBDA_TASK_ROOT": cwd or os.getcwd(),
    })
    env.update(extra_env or {})
    env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{server.server_address[1]}"
    marks["started"] = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=stderr, stderr=stderr, cwd=cwd)
    state["pid"] = process.pid
    exit_code = None
    deadline = time.monotonic() + timeout
    while not done.wait(0.05):
        code = process.poll()
        if code is not None:
            exit_code = code
            break
        if time.monotonic() > deadline:
            break
    timed_out = not done.is_set() and exit_code is None
    rss_kb = None
    try:
        with open(f"/proc/{process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    rss_kb = int(line.split()[1])
    except FileNotFoundError:
        pass
    done.set()
    release.set()
    process.kill()
    process.wait()
    server.shutdown()
    return {"marks": marks, "answers": answers, "init_error": state["init_error"], "exit_code": exit_code,
            "peak_rss_kb": rss_kb, "timed_out": timed_out}


def measure(event_bytes, command, extra_env=None, timeout=60):
    """One event, one process: init and first-response times and peak RSS (the benchmarks)."""
    result = serve(command, [event_bytes], extra_env, timeout)
    marks = result["marks"]
    if not result["answers"] or result["answers"][0]["kind"] != "response":
        body = (result["answers"][0]["body"] if result["answers"] else result["init_error"]) or b"no response"
        return {"error": body.decode(errors="replace")[:300]}
    rss_kb = result["peak_rss_kb"]
    return {
        "init_ms": (marks["next"] - marks["started"]) * 1000,
        "first_response_ms": (marks["response"] - marks["started"]) * 1000,
        # None when /proc had no VmHWM to read (the process had already exited): not a 0 MB run
        "peak_rss_mb": rss_kb / 1024 if rss_kb else None,
        "status": json.loads(result["answers"][0]["body"]).get("statusCode"),
    }


if __name__ == "__main__":
    split = sys.argv.index("--")
    event = open(sys.argv[1], "rb").read()
    print(json.dumps(measure(event, sys.argv[split + 1:])))
