#!/usr/bin/env python3
"""A minimal Lambda Runtime API (the protocol Lambda's own runtime speaks to a function process),
for measuring cold starts: it starts the function process, hands it one event, and records when
the process first asks for an event (init done), when it answers (first response), and its peak
RSS. The same server drives the Rust binaries and the Python handler under awslambdaric.

    runtime_api.py EVENT_FILE -- COMMAND...      → prints one JSON line
Environment for the function: the caller's, plus the variables Lambda sets."""
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def measure(event_bytes, command, extra_env=None, timeout=60):
    marks = {}
    done = threading.Event()
    state = {"served": False}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.endswith("/invocation/next"):
                marks.setdefault("next", time.perf_counter())
                if state["served"]:
                    done.wait(timeout)  # hold the second poll open: the process stays alive for the RSS read
                    self.send_response(410)
                    self.end_headers()
                    return
                state["served"] = True
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", "bench-request-1")
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench")
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(event_bytes)))
                self.end_headers()
                self.wfile.write(event_bytes)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            kind = "response" if self.path.endswith("/response") else "error"
            marks.setdefault(kind, time.perf_counter())
            marks.setdefault("body", body)
            self.send_response(202)
            self.end_headers()
            if kind == "response" or kind == "error":
                threading.Timer(0.05, done.set).start()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ, **(extra_env or {}))
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": "bench", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench", "LAMBDA_TASK_ROOT": os.getcwd(),
    })
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finished = done.wait(timeout)
    rss_kb = None
    try:
        with open(f"/proc/{process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    rss_kb = int(line.split()[1])
    except FileNotFoundError:
        pass
    process.kill()
    process.wait()
    server.shutdown()
    if not finished or "response" not in marks:
        return {"error": (marks.get("body") or b"no response").decode(errors="replace")[:300]}
    return {
        "init_ms": (marks["next"] - started) * 1000,
        "first_response_ms": (marks["response"] - started) * 1000,
        # None when /proc had no VmHWM to read (the process had already exited): not a 0 MB run
        "peak_rss_mb": rss_kb / 1024 if rss_kb else None,
        "status": json.loads(marks["body"]).get("statusCode"),
    }


if __name__ == "__main__":
    split = sys.argv.index("--")
    event = open(sys.argv[1], "rb").read()
    print(json.dumps(measure(event, sys.argv[split + 1:])))
