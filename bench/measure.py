"""Running a benchmarked command: its wall time, peak memory and exit code."""
import os
import subprocess
import time


def run(cmd):
    """Runs cmd; returns (seconds, peak RSS in bytes, exit code, stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    return elapsed, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), err
