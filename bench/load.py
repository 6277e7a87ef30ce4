#!/usr/bin/env python3
"""A load test of `concord serve` on 127.0.0.1: CLIENTS concurrent clients
each run the whole workflow ROUNDS times (create a session, upload the left
and the right file, start a comparison, wait for it, read three pages of
results, export the differences as CSV, delete the session), stopping early
after LIMIT seconds. Reports the throughput, each request kind's latency
percentiles, the errors by code, and the server's peak memory.

The pair is bench/data's generator at ROWS rows x 12 columns (6 MB a side
at the default 50,000 rows). Requests are made with Python's http.client,
one connection per request, as the server serves them.

Usage: python3 bench/load.py [CLIENTS] [ROUNDS] [ROWS] [LIMIT]
       (defaults: 8 clients, 5 rounds, 50000 rows, 120 s)
"""
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 8
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
ROWS = int(sys.argv[3]) if len(sys.argv) > 3 else 50000
LIMIT = float(sys.argv[4]) if len(sys.argv) > 4 else 120.0


class Client:
    """Requests to the server, each timed under its kind."""

    def __init__(self, port, timings, errors, lock):
        self.port, self.timings, self.errors, self.lock = port, timings, errors, lock

    def request(self, kind, method, path, body=None, headers=None):
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        took = time.perf_counter() - start
        with self.lock:
            self.timings.setdefault(kind, []).append(took)
            # (A comparison's result is `no_result` until it is made: waited for.)
            if r.status >= 400 and not (kind == "overview" and r.status == 409):
                code = json.loads(data).get("code", "?") if data.startswith(b"{") else f"http {r.status}"
                self.errors[code] = self.errors.get(code, 0) + 1
        return r.status, data

    def json(self, kind, method, path, value=None):
        body = json.dumps(value).encode() if value is not None else None
        status, data = self.request(kind, method, path, body, {"Content-Type": "application/json"})
        return status, (json.loads(data) if data else None)

    def round(self, left, right):
        _, s = self.json("create", "POST", "/api/sessions", {"name": "load"})
        sid = s["id"]
        for side, data in (("left", left), ("right", right)):
            self.request("upload", "PUT", f"/api/sessions/{sid}/files/{side}", data, {"X-File-Name": f"{side}.csv"})
        self.json("compare", "POST", f"/api/sessions/{sid}/compare")
        start = time.perf_counter()
        while True:
            status, _ = self.request("overview", "GET", f"/api/sessions/{sid}/overview")
            if status == 200:
                break
            time.sleep(0.02)
        with self.lock:
            self.timings.setdefault("compare to result", []).append(time.perf_counter() - start)
        for offset in (0, 100, 1000):
            self.request("page", "GET", f"/api/sessions/{sid}/results?offset={offset}&limit=100")
        self.request("export", "GET", f"/api/sessions/{sid}/export?format=csv")
        self.request("delete", "DELETE", f"/api/sessions/{sid}")


def peak_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "concord", "--example", "gen_workload"],
                   cwd=ROOT, check=True)
    data = os.path.join(ROOT, "target", "bench-load", str(ROWS))
    if not os.path.exists(os.path.join(data, "right.csv")):
        subprocess.run([os.path.join(ROOT, "target", "release", "examples", "gen_workload"), data, str(ROWS)],
                       check=True, stdout=subprocess.DEVNULL)
    left = open(os.path.join(data, "left.csv"), "rb").read()
    right = open(os.path.join(data, "right.csv"), "rb").read()
    with tempfile.TemporaryDirectory() as store:
        server = subprocess.Popen(
            [os.path.join(ROOT, "target", "release", "concord"), "--data-dir", store, "serve", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            line = server.stdout.readline()
            port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
            timings, errors, lock = {}, {}, threading.Lock()
            rounds = [0]
            deadline = time.perf_counter() + LIMIT

            def work():
                c = Client(port, timings, errors, lock)
                for _ in range(ROUNDS):
                    if time.perf_counter() > deadline:
                        return
                    c.round(left, right)
                    with lock:
                        rounds[0] += 1

            start = time.perf_counter()
            threads = [threading.Thread(target=work) for _ in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - start
            peak = peak_kib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=60)
    requests = sum(len(v) for v in timings.values() if v) - len(timings.get("compare to result", []))
    print(f"concord serve on 127.0.0.1: {CLIENTS} clients x {ROUNDS} rounds, {ROWS} rows x 12 columns a side "
          f"({len(left) / 1e6:.1f} MB); {os.cpu_count()} cores")
    print(f"{rounds[0]} whole rounds in {wall:.1f} s: {rounds[0] / wall:.2f} rounds/s, {requests / wall:.0f} requests/s; "
          f"server peak memory {peak / 1024:.0f} MiB; errors: {errors or 'none'}")
    print(f"{'request':<18}{'count':>7}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, values in timings.items():
        ms = [v * 1000 for v in values]
        print(f"{kind:<18}{len(ms):>7}{statistics.median(ms):>9.1f}{percentile(ms, 90):>9.1f}"
              f"{percentile(ms, 99):>9.1f}{max(ms):>9.1f}")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
