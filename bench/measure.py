"""Running a benchmarked command: its wall time, peak memory and exit code."""
import os
import statistics
import subprocess
import sys
import threading
import time


def _anon_kib(pid):
    """The process's anonymous resident memory in KiB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(cmd, anon=None):
    """Runs cmd; returns (seconds, peak RSS in bytes, exit code, stderr).

    Peak RSS counts the pages of mapped files too, which the kernel drops
    again under memory pressure. Pass a list as `anon` to have the peak of
    the process's own (anonymous) memory appended to it, in bytes: sampled
    every 10 ms, so a peak shorter than that can be missed.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.wait(0.01):
            peak[0] = max(peak[0], _anon_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if anon is not None:
        sampler.start()
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    if anon is not None:
        sampler.join()
        anon.append(peak[0] * 1024)
    proc.stderr.close()
    return elapsed, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), err


def median(cmd, runs, warm=1, ok_codes=(0, 1)):
    """Runs cmd `warm` times to warm the page cache, then `runs` times;
    returns (median seconds, peak RSS in bytes). Exits naming the command
    if it fails."""
    for _ in range(warm):
        run(cmd)
    times, peaks = [], []
    for _ in range(runs):
        t, rss, code, err = run(cmd)
        if code not in ok_codes:
            sys.exit(f"{' '.join(cmd)} failed with exit code {code}:\n{err}")
        times.append(t)
        peaks.append(rss)
    return statistics.median(times), max(peaks)
