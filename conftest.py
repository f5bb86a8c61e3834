"""pytest configuration for the notebook tests (nbval) and the wall-time table.

``make times`` sets ``NOTEBOOK_TIMES_FILE=data/times.json``: the wall time of each notebook that
passed is then written there, with the machine and the date, for the README (``make readme``).
Without it (``make test``) nothing in the repository is written.
"""

import datetime
import json
import os
import platform
import tempfile
import time
from collections import defaultdict
from pathlib import Path

# Keep TensorFlow's import-time log lines out of test output (each notebook also sets this).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Notebooks run by nbval inherit this: helpers.save_results writes there, not to data/results,
# so `make test` leaves the committed results (made by `make execute`) untouched.
os.environ.setdefault("RESULTS_OUTPUT_DIR", tempfile.mkdtemp(prefix="notebook-results-"))

_NOTEBOOK_SECONDS: dict[str, float] = defaultdict(float)
_STARTED: dict[str, float] = {}
_FAILED: set[str] = set()
_LOAD_AT_START = os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def pytest_collectstart(collector):
    """nbval: never compare stderr (TensorFlow and absl write varying lines there)."""
    if getattr(collector, "path", None) is not None and collector.path.suffix == ".ipynb":
        collector.skip_compare += ("stderr", "text/html", "application/javascript")


def pytest_runtest_logstart(nodeid, location):
    path = nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _STARTED.setdefault(path, time.perf_counter())


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb") and path in _STARTED:
        _NOTEBOOK_SECONDS[path] = time.perf_counter() - _STARTED[path]
        if report.failed:
            _FAILED.add(path)


def pytest_terminal_summary(terminalreporter):
    """Print each notebook's wall time (kernel start to last cell) as a table."""
    if not _NOTEBOOK_SECONDS:
        return
    tr = terminalreporter
    tr.section("notebook wall times")
    width = max(len(Path(p).name) for p in _NOTEBOOK_SECONDS)
    tr.write_line(f"{'notebook':<{width}}  seconds")
    for path, seconds in _NOTEBOOK_SECONDS.items():
        tr.write_line(f"{Path(path).name:<{width}}  {seconds:7.1f}")
    tr.write_line(f"{'total':<{width}}  {sum(_NOTEBOOK_SECONDS.values()):7.1f}")


def machine_description() -> dict:
    """CPU model, core count, memory, OS and Python of this machine, and its load right now."""
    cpu = platform.processor() or platform.machine()
    memory_gib = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kib = Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0]
        memory_gib = round(int(kib) / 2**20, 1)
    except (OSError, IndexError, ValueError):
        pass
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": memory_gib,
        "platform": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "load_average_at_start": None if _LOAD_AT_START is None else round(_LOAD_AT_START, 2),
    }


def pytest_sessionfinish(session, exitstatus):
    """``NOTEBOOK_TIMES_FILE`` set: write the passed notebooks' wall times there (make times)."""
    target = os.environ.get("NOTEBOOK_TIMES_FILE")
    if not target or not _NOTEBOOK_SECONDS:
        return
    target = Path(target)
    machine = machine_description()
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    notebooks = {}
    if target.exists():  # keep other notebooks' times measured on the same machine (NB=...)
        old = json.loads(target.read_text(encoding="utf-8"))
        same = {k: v for k, v in old.get("machine", {}).items() if k != "load_average_at_start"}
        if same == {k: v for k, v in machine.items() if k != "load_average_at_start"}:
            notebooks = old.get("notebooks", {})
    for path, seconds in _NOTEBOOK_SECONDS.items():
        if path not in _FAILED:
            notebooks[Path(path).stem] = {"seconds": round(seconds, 1), "date": today}
    data = {
        "how": "make times: each notebook under nbval in a fresh kernel, kernel start included",
        "date": today,
        "machine": machine,
        "notebooks": dict(sorted(notebooks.items())),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
