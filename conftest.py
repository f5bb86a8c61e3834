"""pytest configuration for the notebook tests (nbval) and the wall-time table."""

import os
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
