"""Shared synthetic data and visualisation for the notebooks.

Two jobs, plus the plumbing every notebook needs:

* **Data**: generators for the synthetic datasets. Each is documented with how the data is made,
  its shapes and dtypes. Every generator takes a keyword-only ``seed`` that drives a
  :class:`numpy.random.Generator`; no global random state is touched.
* **Pictures**: training curves, image grids, confusion matrices, bar charts with error bars,
  model diagrams (with a text fallback where Graphviz is missing).
* **Plumbing**: :func:`set_seed`, :func:`median_time`, :func:`mean_std`, :func:`save_results`,
  and the evidence protocol below (:func:`compare_paired`, :func:`format_bounds`,
  :func:`finding`).

How a notebook makes a claim (every notebook follows this):

1. **Floor and ceiling first.** Every task has a floor (chance, majority, and the best
   training-free rule a reader could write) and a ceiling (the Bayes-optimal accuracy from the
   generator's rules, or an oracle handed the hidden variables); each generator's docstring
   says what they are. Task difficulty is chosen from them *before* methods are compared, so
   that there is room between the two; every trained result is printed between them with
   :func:`format_bounds`.
2. **Paired seeds.** Methods compared are trained on the same seeds and the same data
   (at least 5 seeds for a headline comparison) and each seed's value is shown.
   :func:`compare_paired` gives the per-seed differences, their mean, the sample std (ddof=1)
   and a 95 % Student-t interval. "A beats B" is asserted as ``low > 0`` (``.a_beats_b``);
   "no difference that matters" as the whole interval inside ``±delta``
   (``.equivalent``), with ``delta`` chosen and stated in the prose *before* the result;
   anything else is printed as "inconclusive at n seeds" and the prose says so. No assert
   compares single-seed numbers where seeds vary. Every "±" printed is labelled
   ("mean ± sample std over n seeds").
3. **Converged before compared.** Early stopping on a validation split carved from the
   training data (never the test split), best weights restored, a stated maximum of epochs;
   curves of every seed are shown.
4. **Numbers in prose come from the run**, and each notebook saves its answered questions
   (:func:`finding`) under ``"findings"`` in its results JSON, which the README renders.

No model definitions live here: the models are the lesson, so they live in the notebooks.
Bad input raises :class:`ValueError` (or :class:`TypeError`) naming the argument and what is
allowed.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
RESULTS_DIR = ROOT / "data" / "results"

# --------------------------------------------------------------------------------------------
# Argument checks (private)
# --------------------------------------------------------------------------------------------


def _check_int(name: str, value, *, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return int(value)


def _check_float(name: str, value, *, low: float, high: float, low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    bad_low = value <= low if low_open else value < low
    if bad_low or value > high or math.isnan(value) or math.isinf(value):
        left = "(" if low_open else "["
        raise ValueError(f"{name} must be in {left}{low}, {high}], got {value}")
    return value


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def _balanced_labels(rng: np.random.Generator, n: int, n_classes: int) -> np.ndarray:
    """``n`` labels in ``[0, n_classes)``, as balanced as ``n`` allows, in random order."""
    labels = np.arange(n) % n_classes
    return rng.permutation(labels).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Plumbing: seeding, timing, results
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def quiet_native_stderr():
    """Silence what native (C++) code writes to file descriptor 2 inside the ``with`` block.

    TensorFlow's import prints a oneDNN notice through absl before any log level applies, so
    ``TF_CPP_MIN_LOG_LEVEL`` cannot hide it; wrap the import in this to keep it out of stored
    notebooks. Python exceptions still propagate normally.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def set_seed(seed: int) -> np.random.Generator:
    """Seed Python, NumPy and Keras (TensorFlow) at once; return a fresh NumPy Generator.

    Call it once per experiment (for example at the top of each training function) so that
    weights and shuffling are reproducible. Keras is imported lazily, so this module stays
    importable without TensorFlow.
    """
    rng = _rng(seed)
    import keras

    keras.utils.set_random_seed(int(seed))
    return rng


def median_time(fn: Callable[[], object], *, repeats: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeats`` calls, after ``warmup`` calls.

    The median, not the mean, so that one slow call (another process, a garbage collection)
    does not move the result.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    repeats = _check_int("repeats", repeats, low=1)
    warmup = _check_int("warmup", warmup, low=0)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(statistics.median(times))


def mean_std(values: Sequence[float], *, digits: int = 4) -> dict[str, float]:
    """``{"mean": m, "std": s}`` of ``values``, rounded to ``digits``.

    ``s`` is the **sample** standard deviation (``ddof=1``), the one an interval over seeds is
    built from; a single value has ``s = 0.0`` (nothing is known about its spread, so never
    call one run "noise"). Print it labelled: "mean ± sample std over n seeds".
    """
    vals = np.asarray(list(values), dtype=np.float64)
    if vals.ndim != 1 or vals.size == 0:
        raise ValueError(f"values must be a non-empty 1-D sequence of numbers, got {vals.shape}")
    if not np.all(np.isfinite(vals)):
        raise ValueError("values must all be finite numbers")
    std = float(vals.std(ddof=1)) if vals.size > 1 else 0.0
    return {"mean": round(float(vals.mean()), digits), "std": round(std, digits)}


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularised incomplete beta function (Lentz's method)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        even = m * (b - m) * x / ((qam + 2 * m) * (a + 2 * m))
        odd = -(a + m) * (qab + m) * x / ((a + 2 * m) * (qap + 2 * m))
        for num in (even, odd):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _student_t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom (via the incomplete beta)."""
    x = df / (df + t * t)
    if x >= 1.0:  # |t| too small to tell from 0 in floating point
        return 0.5
    a, b = df / 2.0, 0.5
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        tail = front * _betacf(a, b, x) / a
    else:
        tail = 1.0 - front * _betacf(b, a, 1.0 - x) / b
    return 1.0 - 0.5 * tail if t >= 0 else 0.5 * tail


def student_t_quantile(p: float, df: int) -> float:
    """The ``p``-quantile of Student's t with ``df`` degrees of freedom (no SciPy needed).

    ``student_t_quantile(0.975, 4)`` is 2.776..., the multiplier of a 95 % interval over 5 seeds.
    """
    p = _check_float("p", p, low=0.0, high=1.0, low_open=True)
    if p >= 1.0:
        raise ValueError(f"p must be in (0, 1), got {p}")
    df = _check_int("df", df, low=1)
    if p < 0.5:
        return -student_t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while _student_t_cdf(hi, df) < p:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _student_t_cdf(mid, df) < p else (lo, mid)
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


class PairedComparison:
    """Method A against method B, trained on the same seeds and data: see :func:`compare_paired`.

    Attributes: ``names`` (A, B), ``a``, ``b``, ``differences`` (A − B per seed), ``n``,
    ``mean``, ``std`` (sample, ddof=1), ``low``/``high`` (the confidence interval of the mean
    difference), ``confidence``, ``wins`` (seeds where A > B), ``delta`` (the margin of "no
    difference that matters", or ``None``) and ``verdict``, one of ``"A beats B"`` (low > 0),
    ``"B beats A"`` (high < 0), ``"no difference that matters"`` (the interval inside ±delta)
    or ``"inconclusive at n seeds"``. ``str()`` gives the one-line rendering for a notebook.
    """

    def __init__(self, a, b, names, confidence, delta, digits):
        self.names = names
        self.a, self.b = [float(v) for v in a], [float(v) for v in b]
        diffs = np.asarray(self.a) - np.asarray(self.b)
        self.differences = [float(d) for d in diffs]
        self.n = int(diffs.size)
        self.mean = float(diffs.mean())
        self.std = float(diffs.std(ddof=1))
        half = student_t_quantile(0.5 + confidence / 2.0, self.n - 1) * self.std / math.sqrt(self.n)
        self.low, self.high = self.mean - half, self.mean + half
        self.confidence, self.delta, self.digits = confidence, delta, digits
        self.wins = int(np.sum(diffs > 0))
        self.ties = int(np.sum(diffs == 0))

    @property
    def a_beats_b(self) -> bool:
        """True when the whole interval lies above 0 (A is better, at this confidence)."""
        return self.low > 0

    @property
    def b_beats_a(self) -> bool:
        """True when the whole interval lies below 0 (B is better, at this confidence)."""
        return self.high < 0

    @property
    def equivalent(self) -> bool:
        """True when the whole interval lies inside ``[-delta, +delta]`` (needs ``delta``)."""
        if self.delta is None:
            raise ValueError("equivalent needs delta: pass delta=... to compare_paired")
        return -self.delta <= self.low and self.high <= self.delta

    @property
    def verdict(self) -> str:
        a, b = self.names
        if self.a_beats_b:
            return f"{a} beats {b}"
        if self.b_beats_a:
            return f"{b} beats {a}"
        if self.delta is not None and self.equivalent:
            return f"no difference that matters (within ±{self.delta:g})"
        return f"inconclusive at {self.n} seeds"

    def as_dict(self) -> dict:
        """JSON-able summary for :func:`save_results` (numbers rounded to ``digits``)."""
        r = lambda v: round(float(v), self.digits)  # noqa: E731
        return {
            "a": self.names[0],
            "b": self.names[1],
            "n": self.n,
            "mean_difference": r(self.mean),
            "sample_std": r(self.std),
            "ci": [r(self.low), r(self.high)],
            "confidence": self.confidence,
            "a_ahead": self.wins,
            "delta": self.delta,
            "verdict": self.verdict,
            "per_seed": {"a": [r(v) for v in self.a], "b": [r(v) for v in self.b]},
        }

    def __str__(self) -> str:
        a, b = self.names
        d = self.digits - 1
        return (
            f"{a} − {b}: {self.mean:+.{d}f} ({self.confidence:.0%} CI [{self.low:+.{d}f}, "
            f"{self.high:+.{d}f}], sample std {self.std:.{d}f}, n={self.n}); {a} ahead on "
            f"{self.wins} of {self.n} seeds → {self.verdict}"
        )

    __repr__ = __str__


def compare_paired(
    a: Sequence[float],
    b: Sequence[float],
    *,
    names: tuple[str, str] = ("A", "B"),
    confidence: float = 0.95,
    delta: float | None = None,
    digits: int = 4,
) -> PairedComparison:
    """Paired comparison of per-seed scores ``a`` and ``b`` (same seeds, same data, same order).

    Returns a :class:`PairedComparison`: the per-seed differences ``a - b``, their mean and
    sample std (ddof=1), a Student-t ``confidence`` interval of the mean difference, "A ahead on
    k of n seeds" and the verdict of the protocol in the module docstring. ``delta`` (> 0) is
    the margin of "no difference that matters"; state it in the prose before the result.
    At least 2 seeds are needed for an interval (use >= 5 for a headline comparison).
    """
    a_arr = np.asarray(list(a), dtype=np.float64)
    b_arr = np.asarray(list(b), dtype=np.float64)
    if a_arr.ndim != 1 or b_arr.ndim != 1 or a_arr.shape != b_arr.shape:
        raise ValueError(
            f"a and b must be 1-D with one score per seed each, got {a_arr.shape} and {b_arr.shape}"
        )
    if a_arr.size < 2:
        raise ValueError(f"a and b need at least 2 paired seeds for an interval, got {a_arr.size}")
    if not (np.all(np.isfinite(a_arr)) and np.all(np.isfinite(b_arr))):
        raise ValueError("a and b must hold only finite numbers")
    if (
        not isinstance(names, tuple | list)
        or len(names) != 2
        or not all(isinstance(x, str) and x for x in names)
    ):
        raise ValueError(f"names must be two non-empty strings (A, B), got {names!r}")
    confidence = _check_float("confidence", confidence, low=0.0, high=1.0, low_open=True)
    if confidence >= 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if delta is not None:
        delta = _check_float("delta", delta, low=0.0, high=math.inf, low_open=True)
    digits = _check_int("digits", digits, low=1, high=12)
    return PairedComparison(a_arr, b_arr, tuple(names), confidence, delta, digits)


def format_bounds(
    value: float, *, floor: float, ceiling: float, name: str = "model", digits: int = 3
) -> str:
    """``"floor 0.800 ≤ model 0.870 ≤ ceiling 0.960"``: a result between its floor and ceiling.

    The floor is the best training-free rule (chance, majority, a threshold or nearest-centroid
    rule on obvious statistics); the ceiling is the Bayes-optimal accuracy from the generator's
    rules, or an oracle handed the hidden variables. An order that does not hold is shown with
    ``>`` instead of ``≤``, so a reader sees it; the notebook asserts what it claims.
    """
    for key, v in (("value", value), ("floor", floor), ("ceiling", ceiling)):
        _check_float(key, v, low=-math.inf, high=math.inf)
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    digits = _check_int("digits", digits, low=0, high=12)
    left = "≤" if floor <= value else ">"
    right = "≤" if value <= ceiling else ">"
    return (
        f"floor {floor:.{digits}f} {left} {name} {value:.{digits}f} {right} "
        f"ceiling {ceiling:.{digits}f}"
    )


def finding(
    question: str,
    answer: str,
    *,
    evidence: str,
    value: float | None = None,
    interval: Sequence[float] | None = None,
    baseline: str | None = None,
    floor: float | None = None,
    ceiling: float | None = None,
) -> dict:
    """One answered question for the results JSON and the README's "answers at a glance".

    ``question`` ("Does hard routing save compute?"), ``answer`` in a few words ("Yes: 1.5×
    faster at batch 1000"), ``evidence`` the sentence with numbers formatted from the run
    (usually ``str(compare_paired(...))``); optional ``value`` (the measured number or mean
    difference), ``interval`` (its 95 % CI, two numbers), ``baseline`` (what it is measured
    against), ``floor`` and ``ceiling`` of the task. Returns a JSON-able dict; put a list of
    them under the key ``"findings"`` of :func:`save_results`.
    """
    out: dict = {}
    for key, text in (("question", question), ("answer", answer), ("evidence", evidence)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{key} must be a non-empty string, got {text!r}")
        out[key] = text.strip()
    if baseline is not None:
        if not isinstance(baseline, str) or not baseline.strip():
            raise ValueError(f"baseline must be a non-empty string or None, got {baseline!r}")
        out["baseline"] = baseline.strip()
    for key, v in (("value", value), ("floor", floor), ("ceiling", ceiling)):
        if v is not None:
            out[key] = round(_check_float(key, v, low=-math.inf, high=math.inf), 4)
    if interval is not None:
        pair = list(interval) if isinstance(interval, Sequence | np.ndarray) else None
        if pair is None or len(pair) != 2:
            raise ValueError(f"interval must be two numbers (low, high), got {interval!r}")
        low, high = (_check_float("interval", v, low=-math.inf, high=math.inf) for v in pair)
        if low > high:
            raise ValueError(f"interval must be (low, high) with low <= high, got {interval!r}")
        out["interval"] = [round(low, 4), round(high, 4)]
    return out


def _format_value(value) -> str:
    if isinstance(value, Mapping) and set(value) == {"mean", "std"}:
        return f"{value['mean']:.3f} ± {value['std']:.3f}"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value)
    return str(value)


def _flatten(results: Mapping, prefix: tuple[str, ...] = ()) -> list[tuple[tuple, object]]:
    """``[(key path, leaf value)]``; ``{"mean", "std"}`` dicts count as leaves."""
    rows = []
    for key, value in results.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and set(value) != {"mean", "std"}:
            rows.extend(_flatten(value, path))
        else:
            rows.append((path, value))
    return rows


def _check_results(name: str, results) -> None:
    if not isinstance(name, str) or not name or not name.replace("_", "").isalnum():
        raise ValueError(
            f"name must be the notebook's file stem (letters, digits and '_'), got {name!r}"
        )
    if not isinstance(results, Mapping) or not results:
        raise ValueError("results must be a non-empty dict of headline numbers")
    try:
        json.dumps(results, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"results must hold only JSON numbers, strings, lists and dicts: {err}"
        ) from None


def save_results(name: str, results: Mapping, *, directory: Path | str | None = None):
    """Write ``results`` to ``data/results/<name>.json`` and return a table of them.

    ``name`` is the notebook's file stem (``"01_functional_api_basics"``). ``results`` is a
    JSON-able dict; ``{"mean", "std"}`` dicts are shown as ``mean ± std``, nested dicts are
    flattened to dotted keys. In Jupyter the returned object renders as an HTML table, and as
    plain text elsewhere. The printed path is relative to the repository, never absolute.

    When the environment variable ``RESULTS_OUTPUT_DIR`` is set (the test run sets it), the
    file goes there instead, so running the tests never rewrites the committed results.
    """
    _check_results(name, results)
    if directory is None:
        directory = os.environ.get("RESULTS_OUTPUT_DIR") or RESULTS_DIR
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    try:
        shown = path.resolve().relative_to(ROOT)
    except ValueError:
        shown = Path(path.name)
    rows = [(".".join(path), value) for path, value in _flatten(results)]
    return _ResultsTable(rows, str(shown))


class _ResultsTable:
    """A two-column table that renders as HTML in Jupyter and as text in a terminal."""

    def __init__(self, rows: list[tuple[str, object]], source: str):
        self.rows = rows
        self.source = source

    def __repr__(self) -> str:
        width = max(len(k) for k, _ in self.rows)
        lines = [f"saved to {self.source}"]
        lines += [f"{k:<{width}}  {_format_value(v)}" for k, v in self.rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td style='text-align:left'>{k}</td><td style='text-align:left'>"
            f"{_format_value(v)}</td></tr>"
            for k, v in self.rows
        )
        return (
            f"<p>saved to <code>{self.source}</code></p><table><thead><tr>"
            "<th style='text-align:left'>result</th><th style='text-align:left'>value</th>"
            f"</tr></thead><tbody>{body}</tbody></table>"
        )


def load_all_results(directory: Path | str | None = None) -> dict[str, dict]:
    """Every ``data/results/*.json`` as ``{stem: results}``, in file-name order."""
    directory = RESULTS_DIR if directory is None else Path(directory)
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))
    }


def results_markdown(results: Mapping[str, Mapping] | None = None) -> str:
    """A Markdown table of every notebook's headline results (one row per number).

    The notebook's name, linked, stands on its first row only; nested keys are dotted, and the
    leaves of one nested dict share a row, so a sweep stays readable.
    """
    results = load_all_results() if results is None else results
    lines = ["| notebook | result | value |", "| --- | --- | --- |"]
    for stem, res in results.items():
        for i, (key, text) in enumerate(_grouped_rows(res)):
            name = f"[{stem}](notebooks/{stem}.ipynb)" if i == 0 else ""
            lines.append(f"| {name} | {key} | {text} |")
    return "\n".join(lines)


def _grouped_rows(results: Mapping) -> list[tuple[str, str]]:
    """Flattened rows; leaves that share a parent key become one row ``leaf: value; ...``."""
    rows: list[tuple[str, list[str] | str]] = []
    groups: dict[str, list[str]] = {}
    for path, value in _flatten(results):
        parent, leaf = ".".join(path[:-1]), path[-1]
        if not parent:
            rows.append((leaf, _format_value(value)))
            continue
        if parent not in groups:
            groups[parent] = []
            rows.append((parent, groups[parent]))
        groups[parent].append(f"{leaf}: {_format_value(value)}")
    return [(k, v if isinstance(v, str) else "; ".join(v)) for k, v in rows]


README_START = "<!-- results:start -->"
README_END = "<!-- results:end -->"


def update_readme_results(readme: Path | str | None = None) -> str:
    """Regenerate the results table in README.md between the results markers; return it."""
    readme = ROOT / "README.md" if readme is None else Path(readme)
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise ValueError(f"readme must contain the markers {README_START} and {README_END}")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    table = results_markdown()
    readme.write_text(f"{head}{README_START}\n{table}\n{README_END}{tail}", encoding="utf-8")
    return table


# --------------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------------


def _plt():
    import matplotlib

    if "MPLBACKEND" not in os.environ and not _in_notebook():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.setdefault("figure.dpi", 72)
    return plt


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def plot_history(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    metrics: Sequence[str] = ("loss", "accuracy"),
    title: str | None = None,
):
    """Training curves: one panel per metric, one line per run (dashed: validation).

    ``histories`` maps a run name to a Keras ``History.history`` dict. A metric a run lacks is
    skipped for that run. Returns the figure; the notebook calls ``plt.show()``.
    """
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError("histories must be a non-empty dict {run name: History.history}")
    if isinstance(metrics, str) or not metrics:
        raise ValueError("metrics must be a non-empty list of metric names, e.g. ['loss']")
    plt = _plt()
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.2), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, metric in zip(axes[0], metrics, strict=True):
        found = False
        for i, (run, hist) in enumerate(histories.items()):
            color = colors[i % len(colors)]
            for key, style, suffix in ((metric, "-", "train"), (f"val_{metric}", "--", "val")):
                if key in hist:
                    found = True
                    epochs = np.arange(1, len(hist[key]) + 1)
                    ax.plot(epochs, hist[key], style, color=color, label=f"{run} ({suffix})")
        if not found:
            raise ValueError(f"metrics: no run has {metric!r}; known: {sorted(_keys(histories))}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _keys(histories) -> set[str]:
    return {k for h in histories.values() for k in h}


def show_images(
    images: np.ndarray,
    labels: Sequence | None = None,
    *,
    class_names: Sequence[str] | None = None,
    ncols: int = 8,
    title: str | None = None,
    cmap: str = "gray",
):
    """A grid of images, (N, H, W) grey or (N, H, W, 3) RGB, titled by label (or class name).

    Float images are shown as they are if they lie in [0, 1], otherwise min–max scaled per image.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] not in (1, 3)):
        raise ValueError(f"images must have shape (N, H, W) or (N, H, W, 1|3), got {images.shape}")
    if images.shape[0] == 0:
        raise ValueError("images must hold at least one image")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"labels must have one entry per image: {len(labels)} != {len(images)}")
    ncols = _check_int("ncols", ncols, low=1)
    plt = _plt()
    n = len(images)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.45 * nrows), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= n:
            continue
        img = images[i].astype(np.float32)
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        if img.min() < 0 or img.max() > 1:
            span = img.max() - img.min()
            img = (img - img.min()) / (span if span > 0 else 1.0)
        ax.imshow(img, cmap=cmap if img.ndim == 2 else None, vmin=0, vmax=1)
        if labels is not None:
            lab = labels[i]
            text = class_names[int(lab)] if class_names is not None else str(lab)
            ax.set_title(text, fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, *, n_classes: int) -> np.ndarray:
    """Counts ``C[i, j]`` of true class ``i`` predicted as ``j``, shape (n_classes, n_classes)."""
    n_classes = _check_int("n_classes", n_classes, low=2)
    y_true = np.asarray(y_true).astype(np.int64).ravel()
    y_pred = np.asarray(y_pred).astype(np.int64).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must match in length: {y_true.shape} != {y_pred.shape}"
        )
    for name, arr in (("y_true", y_true), ("y_pred", y_pred)):
        if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
            raise ValueError(f"{name} must hold class ids in [0, {n_classes - 1}]")
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion(
    y_true,
    y_pred,
    *,
    class_names: Sequence[str],
    title: str = "Confusion matrix",
    normalize: bool = True,
):
    """Confusion matrix as a heat map (rows: true class, columns: predicted), row-normalised."""
    if isinstance(class_names, str) or len(class_names) < 2:
        raise ValueError("class_names must be a list of at least two names")
    counts = confusion_matrix(y_true, y_pred, n_classes=len(class_names))
    shown = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    plt = _plt()
    k = len(class_names)
    fig, ax = plt.subplots(figsize=(1.0 + 0.5 * k, 0.8 + 0.45 * k))
    im = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    ax.set_xticks(range(k), class_names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(k), class_names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    for i in range(k):
        for j in range(k):
            value = f"{shown[i, j]:.2f}" if normalize else str(shown[i, j])
            dark = shown[i, j] > (0.5 if normalize else shown.max() / 2)
            ax.text(
                j,
                i,
                value,
                ha="center",
                va="center",
                fontsize=7,
                color="white" if dark else "black",
            )
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def bar_with_errors(
    names: Sequence[str],
    means: Sequence[float],
    stds: Sequence[float] | None = None,
    *,
    ylabel: str,
    title: str | None = None,
    baseline: float | None = None,
    baseline_label: str = "chance",
):
    """Bars of ``means`` with ``stds`` as error bars, and an optional dashed baseline line."""
    names = list(names)
    means = np.asarray(means, dtype=np.float64)
    if not names or len(names) != len(means):
        raise ValueError(
            f"names and means must be non-empty and of one length: {len(names)} != {len(means)}"
        )
    stds = np.zeros_like(means) if stds is None else np.asarray(stds, dtype=np.float64)
    if stds.shape != means.shape:
        raise ValueError(f"stds must have one entry per bar: {len(stds)} != {len(means)}")
    if not isinstance(ylabel, str) or not ylabel:
        raise ValueError("ylabel must be a non-empty string (what the bars measure)")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(4.0, 0.9 * len(names) + 1.5), 3.3))
    x = np.arange(len(names))
    ax.bar(x, means, yerr=stds, capsize=4, color="tab:blue", alpha=0.8)
    for xi, m in zip(x, means, strict=True):
        ax.text(xi, m, f"{m:.3g}", ha="center", va="bottom", fontsize=8)
    if baseline is not None:
        ax.axhline(baseline, color="tab:red", ls="--", lw=1, label=baseline_label)
        ax.legend(fontsize=8)
    ax.set_xticks(x, names, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def graphviz_available() -> bool:
    """True when Graphviz's ``dot`` program is on PATH (needed by model diagrams)."""
    return shutil.which("dot") is not None


def plot_model(model, *, dpi: int = 60, show_shapes: bool = True, expand_nested: bool = False):
    """A model diagram via ``keras.utils.plot_model``; without Graphviz, a note and the summary.

    Returns an ``IPython.display.Image`` (rendered by Jupyter) or ``None`` after printing the
    text summary. The diagram is written to a temporary file, so nothing lands in the repo.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    dpi = _check_int("dpi", dpi, low=20, high=300)
    if not graphviz_available():
        print("Graphviz 'dot' is not installed (see README, Quick start); text summary instead:")
        model.summary(expand_nested=expand_nested)
        return None
    import tempfile

    from IPython.display import Image

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.png")
        keras.utils.plot_model(
            model,
            to_file=path,
            show_shapes=show_shapes,
            show_layer_names=True,
            expand_nested=expand_nested,
            dpi=dpi,
        )
        with open(path, "rb") as fh:
            return Image(data=fh.read(), format="png")


# --------------------------------------------------------------------------------------------
# Data: 01 functional API basics (digits, digit sequences, headlines, author pairs)
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _glyph_bank(size: int) -> np.ndarray:
    """Digits 0–9 drawn once with Pillow's bundled font, centred: (10, 2*size, 2*size) float32."""
    from PIL import Image, ImageDraw, ImageFont

    canvas = 2 * size
    font = ImageFont.load_default(size=int(size * 1.5))
    bank = np.zeros((10, canvas, canvas), dtype=np.float32)
    for d in range(10):
        img = Image.new("L", (canvas, canvas), 0)
        draw = ImageDraw.Draw(img)
        draw.text(
            (canvas / 2, canvas / 2),
            str(d),
            fill=255,
            font=font,
            anchor="mm",
            stroke_width=max(1, size // 10),
            stroke_fill=255,
        )
        bank[d] = np.asarray(img, dtype=np.float32) / 255.0
    return bank


def make_digits(
    n: int,
    *,
    size: int = 28,
    noise: float = 0.15,
    max_shift: float = 0.15,
    scale_range: tuple[float, float] = (0.75, 1.1),
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Digit glyphs 0–9, an offline stand-in for MNIST.

    How it is made: each digit is drawn once with Pillow's bundled TrueType font on a canvas
    twice the image size. Per sample, the glyph is scaled by a factor drawn uniformly from
    ``scale_range``, shifted by up to ``max_shift`` × ``size`` pixels in each direction, and
    resampled to ``size`` × ``size`` (nearest-neighbour index arithmetic, vectorised over the
    batch); then Gaussian noise with std ``noise`` is added and values are clipped to [0, 1].
    Classes are balanced (counts differ by at most one).

    Returns ``(x, y)``: ``x`` float32 (n, size, size) in [0, 1]; ``y`` int64 (n,) in [0, 9].
    """
    n = _check_int("n", n, low=1)
    size = _check_int("size", size, low=8, high=128)
    noise = _check_float("noise", noise, low=0.0, high=1.0)
    max_shift = _check_float("max_shift", max_shift, low=0.0, high=0.4)
    if (
        not isinstance(scale_range, tuple | list)
        or len(scale_range) != 2
        or not 0.3 <= scale_range[0] <= scale_range[1] <= 2.0
    ):
        raise ValueError(
            f"scale_range must be (low, high) with 0.3 <= low <= high <= 2.0, got {scale_range!r}"
        )
    rng = _rng(seed)
    y = _balanced_labels(rng, n, 10)
    return _render_digits(y, rng, size, noise, max_shift, scale_range), y


def _render_digits(y, rng, size, noise, max_shift, scale_range) -> np.ndarray:
    """Render digit labels ``y`` (any shape) to float32 images of shape ``y.shape + (s, s)``."""
    shape = y.shape
    y = y.ravel()
    n = y.size
    bank = _glyph_bank(size)
    canvas = bank.shape[-1]
    scale = rng.uniform(scale_range[0], scale_range[1], size=n)
    shift = rng.uniform(-max_shift, max_shift, size=(n, 2)) * size
    # Output pixel (r, c) samples the glyph canvas at centre + (r - size/2 - shift) / scale * 2.
    grid = np.arange(size, dtype=np.float64) - size / 2 + 0.5
    rows = (grid[None, :] - shift[:, :1]) / scale[:, None] * 2 + canvas / 2
    cols = (grid[None, :] - shift[:, 1:]) / scale[:, None] * 2 + canvas / 2
    rows = np.clip(np.round(rows).astype(np.int64), 0, canvas - 1)
    cols = np.clip(np.round(cols).astype(np.int64), 0, canvas - 1)
    x = bank[y[:, None, None], rows[:, :, None], cols[:, None, :]]
    x = x + rng.normal(0.0, noise, size=x.shape).astype(np.float32) if noise > 0 else x
    return np.clip(x, 0.0, 1.0).astype(np.float32).reshape(shape + (size, size))


def make_digit_sequences(
    n: int,
    *,
    steps: int = 8,
    repeats: int = 3,
    size: int = 28,
    noise: float = 0.15,
    return_digits: bool = False,
    seed: int = 0,
) -> tuple[np.ndarray, ...]:
    """Sequences of digit images whose label is the digit that occurs most often.

    How it is made: per sequence a target digit (balanced over 0–9) fills ``repeats`` of the
    ``steps`` positions; the other positions hold distinct digits drawn from the nine others, so
    the target is the unique mode. Positions are shuffled, and each frame is rendered like
    :func:`make_digits` (random scale and shift, Gaussian noise ``noise``).

    Returns ``(x, y)``: ``x`` float32 (n, steps, size, size) in [0, 1]; ``y`` int64 (n,) in
    [0, 9]; with ``return_digits=True`` also the digit of every frame, int64 (n, steps).
    """
    n = _check_int("n", n, low=1)
    steps = _check_int("steps", steps, low=2, high=64)
    repeats = _check_int("repeats", repeats, low=2, high=steps)
    if steps - repeats > 9:
        raise ValueError(
            f"steps - repeats must be <= 9 (the other digits are distinct), got {steps - repeats}"
        )
    size = _check_int("size", size, low=8, high=128)
    noise = _check_float("noise", noise, low=0.0, high=1.0)
    rng = _rng(seed)
    y = _balanced_labels(rng, n, 10)
    # The nine other digits in random order per row: (y + 1 + perm(9)) mod 10 never equals y.
    others = (y[:, None] + 1 + np.argsort(rng.random((n, 9)), axis=1)) % 10
    target = np.repeat(y[:, None], repeats, axis=1)
    frames = np.concatenate([target, others[:, : steps - repeats]], axis=1)
    frames = np.take_along_axis(frames, np.argsort(rng.random((n, steps)), axis=1), axis=1)
    x = _render_digits(frames, rng, size, noise, 0.15, (0.75, 1.1))
    return (x, y, frames.astype(np.int64)) if return_digits else (x, y)


HOT_TOKENS = range(1, 21)  # token ids that make a headline popular (see make_headlines)
COLD_TOKENS = range(21, 41)  # token ids that make it unpopular


def make_headlines(
    n: int,
    *,
    seq_len: int = 20,
    vocab_size: int = 1000,
    signal_tokens: int = 3,
    noise: float = 0.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """News headlines (token ids) + five numeric features → "popular?" (balanced 0/1).

    How it is made: a headline is ``seq_len`` token ids drawn uniformly from
    ``[41, vocab_size)`` ("neutral" words). A latent text score ``t ~ N(0, 1)`` decides how many
    "hot" (ids 1–20) or "cold" (ids 21–40) words replace neutral ones: ``round(|t| *
    signal_tokens)`` hot words if ``t > 0``, else cold words, at random positions. The five
    extra features are ``N(0, 1)`` and give a feature score ``f = features @ w / |w|`` with the
    fixed ``w = (1, -1, 0.5, 0, 0)``. The label is ``t + f + noise * N(0, 1) > median``, so
    both inputs carry signal, neither alone suffices, and classes are balanced.

    Returns ``(tokens, features, y)``: int32 (n, seq_len) in [1, vocab_size); float32 (n, 5);
    int64 (n,) in {0, 1}.
    """
    n = _check_int("n", n, low=2)
    seq_len = _check_int("seq_len", seq_len, low=4, high=512)
    vocab_size = _check_int("vocab_size", vocab_size, low=100, high=1_000_000)
    signal_tokens = _check_int("signal_tokens", signal_tokens, low=1, high=seq_len // 2)
    noise = _check_float("noise", noise, low=0.0, high=10.0)
    rng = _rng(seed)
    tokens = rng.integers(41, vocab_size, size=(n, seq_len))
    t = rng.normal(size=n)
    count = np.minimum(np.round(np.abs(t) * signal_tokens).astype(np.int64), seq_len)
    # A random position order per row; the first `count` positions get signal words.
    order = np.argsort(rng.random((n, seq_len)), axis=1)
    chosen = np.zeros((n, seq_len), dtype=bool)
    np.put_along_axis(chosen, order, np.arange(seq_len)[None, :] < count[:, None], axis=1)
    signal_ids = np.where(t[:, None] > 0, 1, 21) + rng.integers(0, 20, size=(n, seq_len))
    tokens = np.where(chosen, signal_ids, tokens).astype(np.int32)
    features = rng.normal(size=(n, 5)).astype(np.float32)
    w = np.array([1.0, -1.0, 0.5, 0.0, 0.0])
    f = features @ w / np.linalg.norm(w)
    latent = t + f + noise * rng.normal(size=n)
    y = (latent > np.median(latent)).astype(np.int64)
    return tokens, features, y


ALPHABET = "abcdefghijklmnopqrstuvwxyz "


def make_author_pairs(
    n: int,
    *,
    length: int = 40,
    n_authors: int = 8,
    habit_strength: float = 4.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of one-hot "tweets" → "were both written by the same author?" (balanced 0/1).

    How it is made: the alphabet is ``a``–``z`` plus space (27 symbols). Every author has a
    character distribution: a common base (space and vowels frequent) in which four letters
    chosen per author are ``habit_strength`` times more likely — their character habits. A
    tweet is ``length`` characters drawn independently from its author's distribution. Half of
    the pairs share an author; the others have two different authors. Authors are drawn from
    ``seed``, so split one call into train and test to keep the same authors in both.

    Returns ``(a, b, y)``: ``a`` and ``b`` float32 one-hot (n, length, 27); ``y`` int64 (n,).
    """
    n = _check_int("n", n, low=2)
    length = _check_int("length", length, low=2, high=1000)
    n_authors = _check_int("n_authors", n_authors, low=2, high=100)
    habit_strength = _check_float("habit_strength", habit_strength, low=1.0, high=100.0)
    rng = _rng(seed)
    k = len(ALPHABET)
    base = np.ones(k)
    base[[0, 4, 8, 14, 20]] = 3.0  # vowels
    base[-1] = 6.0  # space
    probs = np.tile(base, (n_authors, 1))
    habits = np.argsort(rng.random((n_authors, k - 1)), axis=1)[:, :4]
    np.put_along_axis(probs, habits, np.take_along_axis(probs, habits, 1) * habit_strength, 1)
    probs /= probs.sum(axis=1, keepdims=True)
    y = _balanced_labels(rng, n, 2)
    first = rng.integers(0, n_authors, size=n)
    other = (first + rng.integers(1, n_authors, size=n)) % n_authors  # never equals `first`
    second = np.where(y == 1, first, other)

    def write(authors: np.ndarray) -> np.ndarray:
        cdf = np.cumsum(probs[authors], axis=1)  # (n, k)
        u = rng.random((len(authors), length, 1))
        chars = (u > cdf[:, None, :]).sum(axis=2).clip(0, k - 1)
        return np.eye(k, dtype=np.float32)[chars]

    return write(first), write(second), y


# --------------------------------------------------------------------------------------------
# Data: 02 functional API, vision (digit pairs, shape scenes + questions, clips + questions)
# --------------------------------------------------------------------------------------------


def make_digit_pairs(
    n: int, *, size: int = 28, noise: float = 0.15, return_digits: bool = False, seed: int = 0
) -> tuple[np.ndarray, ...]:
    """Pairs of digit images and whether they show the same digit (the "same digit?" task).

    How it is made: half the pairs (as balanced as ``n`` allows, in random order) are "same".
    The first digit's class is balanced over 0–9; for a "same" pair the second class equals
    it, otherwise it is the first class plus a uniform offset in 1–9 (mod 10), so every wrong
    class is equally likely. The images come from :func:`make_digits` (random scale, shift and
    noise) and no image is used twice, so a "same" pair is never two copies of one image.

    Returns ``(xa, xb, same)``: ``xa`` and ``xb`` float32 (n, size, size) in [0, 1];
    ``same`` int64 (n,) in {0, 1}. With ``return_digits=True`` also ``digits``, int64 (n, 2):
    the digit shown in ``xa`` and in ``xb``.
    """
    n = _check_int("n", n, low=1)
    if not isinstance(return_digits, bool):
        raise TypeError(f"return_digits must be True or False, got {return_digits!r}")
    size = _check_int("size", size, low=8, high=128)
    noise = _check_float("noise", noise, low=0.0, high=1.0)
    rng = _rng(seed)
    same = _balanced_labels(rng, n, 2)
    digit_a = _balanced_labels(rng, n, 10)
    offset = rng.integers(1, 10, size=n)
    digit_b = np.where(same == 1, digit_a, (digit_a + offset) % 10)
    wanted = np.concatenate([digit_a, digit_b])
    per_class = int(np.bincount(wanted, minlength=10).max())
    # A pool with exactly per_class images of each digit, so every request gets its own image.
    pool_x, pool_y = make_digits(
        10 * per_class, size=size, noise=noise, seed=int(rng.integers(2**31 - 1))
    )
    by_class = np.argsort(pool_y, kind="stable").reshape(10, per_class)
    index = np.empty(2 * n, dtype=np.int64)
    for digit in range(10):
        where = np.flatnonzero(wanted == digit)
        index[where] = by_class[digit, : where.size]
    if return_digits:
        return pool_x[index[:n]], pool_x[index[n:]], same, np.stack([digit_a, digit_b], axis=1)
    return pool_x[index[:n]], pool_x[index[n:]], same


SCENE_COLORS = ("red", "green", "blue", "yellow")
SCENE_SHAPES = ("circle", "square", "triangle")
MOTION_DIRECTIONS = ("left", "right", "up", "down")
_SCENE_RGB = np.array([[1.0, 0.15, 0.1], [0.1, 0.85, 0.2], [0.2, 0.35, 1.0], [1.0, 0.9, 0.1]])

#: Every answer the scene and clip questions can have; an answer's id is its index here.
QA_ANSWERS = (*SCENE_COLORS, "yes", "no", "0", "1", "2", "3", *MOTION_DIRECTIONS, *SCENE_SHAPES)
#: Word vocabulary of the questions; id 0 is padding, so a word's id is its index here.
QA_VOCAB = (
    "<pad>", "?", "what", "color", "is", "the", "there", "a", "how", "many", "which", "way",
    "did", "it", "go", "shape", *SCENE_SHAPES, "circles", "squares", "triangles", *SCENE_COLORS,
)  # fmt: skip
QUESTION_LENGTH = 6

#: Question types of :func:`make_shape_scenes` and :func:`make_motion_clips` (index = qtype).
SCENE_QUESTION_TYPES = (
    "what color is the <shape>?",
    "is there a <color> <shape>?",
    "how many <shape>s?",
)
CLIP_QUESTION_TYPES = ("which way did it go?", "what color is it?", "what shape is it?")
CLIP_ANSWER_WORDS = (MOTION_DIRECTIONS, SCENE_COLORS, SCENE_SHAPES)  # answers per clip qtype


def encode_questions(texts: Sequence[str], *, length: int = QUESTION_LENGTH) -> np.ndarray:
    """Word ids of questions, left-padded with 0 to ``length``: int64 (len(texts), length).

    Words are split on spaces and must be in :data:`QA_VOCAB` (for example
    ``"what color is the circle ?"``). Left padding puts the words last, so an LSTM reads the
    padding first and ends on the question.
    """
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError("texts must be a list of question strings, not a single string")
    length = _check_int("length", length, low=1, high=64)
    ids = np.zeros((len(texts), length), dtype=np.int64)
    for row, text in enumerate(texts):
        words = str(text).split()
        unknown = [w for w in words if w not in QA_VOCAB or w == "<pad>"]
        if unknown or not words:
            raise ValueError(f"texts[{row}] must be non-empty words of QA_VOCAB, got {text!r}")
        if len(words) > length:
            raise ValueError(f"length must be >= {len(words)} for texts[{row}] = {text!r}")
        ids[row, length - len(words) :] = [QA_VOCAB.index(w) for w in words]
    return ids


def decode_question(ids) -> str:
    """The words of one encoded question (padding dropped): inverse of :func:`encode_questions`."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size == 0 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a non-empty 1-D array of word ids, got shape {ids.shape}")
    if ids.min() < 0 or ids.max() >= len(QA_VOCAB):
        raise ValueError(f"ids must lie in [0, {len(QA_VOCAB) - 1}]")
    return " ".join(QA_VOCAB[i] for i in ids if i != 0)


def _draw_scene_shape(draw, shape: int, box: tuple[float, float, float, float], fill) -> None:
    x0, y0, x1, y1 = box
    if shape == 0:
        draw.ellipse(box, fill=fill)
    elif shape == 1:
        draw.rectangle(box, fill=fill)
    else:
        draw.polygon([((x0 + x1) / 2, y0), (x1, y1), (x0, y1)], fill=fill)


def _render_scene(objects, size: int, rng: np.random.Generator, noise: float) -> np.ndarray:
    """Draw ``[(shape, rgb in [0, 1], (x0, y0, x1, y1)), ...]`` on black: (size, size, 3)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (size, size), (0, 0, 0))
    draw = ImageDraw.Draw(img)
    for shape, rgb, box in objects:
        fill = tuple(int(v) for v in np.round(np.asarray(rgb) * 255))
        _draw_scene_shape(draw, shape, box, fill)
    x = np.asarray(img, dtype=np.float32) / 255.0
    if noise > 0:
        x = x + rng.normal(0.0, noise, size=x.shape).astype(np.float32)
    return np.clip(x, 0.0, 1.0)


def _scene_objects(rng: np.random.Generator, qtype: int, answer_hint: int):
    """Objects (shape, colour) of one scene and its question/answer words for ``qtype``."""
    n_shapes, n_colors = len(SCENE_SHAPES), len(SCENE_COLORS)
    if qtype == 0:  # what color is the <shape>? -- exactly one object of that shape
        shape, color = int(rng.integers(n_shapes)), answer_hint
        others = [s for s in range(n_shapes) if s != shape]
        k = int(rng.integers(0, 3))
        objs = [(shape, color)] + [
            (int(rng.choice(others)), int(rng.integers(n_colors))) for _ in range(k)
        ]
        return objs, f"what color is the {SCENE_SHAPES[shape]} ?", SCENE_COLORS[color]
    if qtype == 1:  # is there a <color> <shape>? -- answer_hint 0: yes, 1: no
        shape, color = int(rng.integers(n_shapes)), int(rng.integers(n_colors))
        k = int(rng.integers(1, 4))
        objs = [(int(rng.integers(n_shapes)), int(rng.integers(n_colors))) for _ in range(k)]
        # Near misses: objects may share the asked colour or the asked shape, never both.
        for j, (s, c) in enumerate(objs):
            if (s, c) == (shape, color):
                objs[j] = (s, (c + 1 + int(rng.integers(n_colors - 1))) % n_colors)
        if answer_hint == 0:
            objs[int(rng.integers(k))] = (shape, color)
        text = f"is there a {SCENE_COLORS[color]} {SCENE_SHAPES[shape]} ?"
        return objs, text, ("yes", "no")[answer_hint]
    shape, count = int(rng.integers(n_shapes)), answer_hint  # how many <shape>s?
    others = [s for s in range(n_shapes) if s != shape]
    extra = int(rng.integers(1 if count == 0 else 0, 3 - count + 1))
    objs = [(shape, int(rng.integers(n_colors))) for _ in range(count)]
    objs += [(int(rng.choice(others)), int(rng.integers(n_colors))) for _ in range(extra)]
    return objs, f"how many {SCENE_SHAPES[shape]}s ?", str(count)


def make_shape_scenes(
    n: int, *, size: int = 24, noise: float = 0.05, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Small scenes of coloured shapes with one templated question each (visual QA).

    How it is made: each scene holds 1–3 objects, each a circle, square or triangle in red,
    green, blue or yellow (brightness × U(0.75, 1)), drawn with Pillow on black, one object per
    cell of a 2 × 2 grid (random cells, object side 65–85 % of a cell, random offset inside it),
    plus Gaussian noise of std ``noise``. Question types (:data:`SCENE_QUESTION_TYPES`) are
    balanced: "what color is the <shape> ?" (the scene has exactly one such shape; the colour
    answer is balanced), "is there a <color> <shape> ?" (yes/no balanced; the other objects may
    share the colour or the shape, never both), "how many <shape>s ?" (0–3, balanced). So the
    answer needs both the image and the question: a model that sees only the question can at
    best learn each type's answer prior (1/4, 1/2, 1/4).

    Returns ``(images, questions, answers, qtypes)``: ``images`` float32 (n, size, size, 3) in
    [0, 1]; ``questions`` int64 (n, QUESTION_LENGTH) word ids (see :func:`encode_questions`);
    ``answers`` int64 (n,) indices into :data:`QA_ANSWERS`; ``qtypes`` int64 (n,) in {0, 1, 2}.
    """
    n = _check_int("n", n, low=1)
    size = _check_int("size", size, low=16, high=128)
    noise = _check_float("noise", noise, low=0.0, high=0.5)
    rng = _rng(seed)
    qtypes = _balanced_labels(rng, n, 3)
    hints = np.zeros(n, dtype=np.int64)
    for t, k in enumerate((len(SCENE_COLORS), 2, 4)):  # balanced answers within each type
        where = np.flatnonzero(qtypes == t)
        hints[where] = _balanced_labels(rng, where.size, k)
    cell = size / 2
    images = np.empty((n, size, size, 3), dtype=np.float32)
    texts, answers = [], np.empty(n, dtype=np.int64)
    for i in range(n):
        objs, text, answer = _scene_objects(rng, int(qtypes[i]), int(hints[i]))
        cells = rng.permutation(4)[: len(objs)]
        drawn = []
        for (shape, color), c in zip(rng.permutation(objs).tolist(), cells, strict=True):
            side = cell * rng.uniform(0.65, 0.85)
            x0 = (c % 2) * cell + rng.uniform(0, cell - side)
            y0 = (c // 2) * cell + rng.uniform(0, cell - side)
            rgb = _SCENE_RGB[color] * rng.uniform(0.75, 1.0)
            drawn.append((shape, rgb, (x0, y0, x0 + side - 1, y0 + side - 1)))
        images[i] = _render_scene(drawn, size, rng, noise)
        texts.append(text)
        answers[i] = QA_ANSWERS.index(answer)
    return images, encode_questions(texts), answers, qtypes


def make_motion_clips(
    n: int, *, frames: int = 8, size: int = 24, noise: float = 0.05, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Short clips of one coloured shape moving in a straight line, with a question each.

    How it is made: per clip one object (shape and colour as in :func:`make_shape_scenes`,
    side 30–40 % of ``size``) moves in one of four directions (left, right, up, down) at a
    constant speed so that it crosses 45–60 % of the frame over ``frames`` frames; its start
    is drawn so that it stays inside the frame, and the position across the motion is random.
    Each frame is drawn with Pillow on black plus Gaussian noise of std ``noise``. Question
    types (:data:`CLIP_QUESTION_TYPES`) are balanced: "which way did it go ?" (needs several
    frames), "what color is it ?", "what shape is it ?"; directions, colours and shapes are
    balanced, so the question alone gives at best 1/4, 1/4 and 1/3.

    Returns ``(clips, questions, answers, qtypes)``: ``clips`` float32
    (n, frames, size, size, 3) in [0, 1]; ``questions`` int64 (n, QUESTION_LENGTH);
    ``answers`` int64 (n,) indices into :data:`QA_ANSWERS`; ``qtypes`` int64 (n,) in {0, 1, 2}.
    """
    n = _check_int("n", n, low=1)
    frames = _check_int("frames", frames, low=2, high=64)
    size = _check_int("size", size, low=16, high=128)
    noise = _check_float("noise", noise, low=0.0, high=0.5)
    rng = _rng(seed)
    qtypes = _balanced_labels(rng, n, 3)
    direction = _balanced_labels(rng, n, len(MOTION_DIRECTIONS))
    color = _balanced_labels(rng, n, len(SCENE_COLORS))
    shape = _balanced_labels(rng, n, len(SCENE_SHAPES))
    for t, attribute in enumerate((direction, color, shape)):  # balanced answers per type
        where = np.flatnonzero(qtypes == t)
        attribute[where] = _balanced_labels(rng, where.size, len(CLIP_ANSWER_WORDS[t]))
    side = size * rng.uniform(0.3, 0.4, size=n)
    travel = size * rng.uniform(0.45, 0.6, size=n)
    unit = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, -1.0], [0.0, 1.0]])[direction]  # (dx, dy)
    # Start so that start + travel * unit stays inside [0, size - side] on both axes.
    low = np.maximum(0.0, -travel[:, None] * unit)
    high = (size - side)[:, None] - np.maximum(0.0, travel[:, None] * unit)
    start = low + rng.uniform(0, 1, size=(n, 2)) * (high - low)
    rgb = _SCENE_RGB[color] * rng.uniform(0.75, 1.0, size=(n, 1))
    steps = np.linspace(0.0, 1.0, frames)
    clips = np.empty((n, frames, size, size, 3), dtype=np.float32)
    for i in range(n):
        for t in range(frames):
            x0, y0 = start[i] + steps[t] * travel[i] * unit[i]
            box = (x0, y0, x0 + side[i] - 1, y0 + side[i] - 1)
            clips[i, t] = _render_scene([(int(shape[i]), rgb[i], box)], size, rng, noise)
    picked = np.stack([direction, color, shape], axis=1)[np.arange(n), qtypes]
    answers = np.array(
        [QA_ANSWERS.index(CLIP_ANSWER_WORDS[t][k]) for t, k in zip(qtypes, picked, strict=True)],
        dtype=np.int64,
    )
    templates = ("which way did it go ?", "what color is it ?", "what shape is it ?")
    texts = [templates[t] for t in qtypes]
    return clips, encode_questions(texts), answers, qtypes


# --------------------------------------------------------------------------------------------
# Data: 03 conditional soft switching (hierarchical families of drawn images)
# --------------------------------------------------------------------------------------------


FAMILY_NAMES = ("cat", "dog")
FAMILY_FINE_NAMES = (
    ("cat/horizontal", "cat/vertical", "cat/diagonal"),
    ("dog/red", "dog/green", "dog/blue"),
)
_FAMILY_TAG_RGB = np.array([[0.95, 0.1, 0.1], [0.1, 0.9, 0.1], [0.15, 0.3, 1.0]], np.float32)
_FAMILY_STRIPE_DEGREES = np.array([90.0, 0.0, 45.0])  # horizontal, vertical, diagonal stripes


def family_class_names(*, fine_per_family: int = 3) -> list[str]:
    """Names of the fine classes of :func:`make_family_images`, in label order.

    With ``fine_per_family=k`` labels ``0..k-1`` are the cat classes and ``k..2k-1`` the dog
    classes, e.g. ``['cat/horizontal', ..., 'dog/blue']`` for ``k=3``.
    """
    k = _check_int("fine_per_family", fine_per_family, low=2, high=3)
    return [name for names in FAMILY_FINE_NAMES for name in names[:k]]


def make_family_images(
    n: int,
    *,
    size: int = 32,
    fine_per_family: int = 3,
    noise: float = 0.08,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hierarchical images: a coarse family (cat or dog) and fine classes inside each family.

    How it is made, per image: a grey body on a dark grey background, with a small saturated
    colour tag (a square of side size // 5, in red, green or blue) placed at random (it may
    overlap the body), then Gaussian pixel noise of std ``noise``; values clipped to [0, 1].

    * **Family** (coarse class) = the body's *shape*: a disc for ``cat``, a square rotated by
      up to ±15° for ``dog`` (about the same area; drawn with Pillow). Position, radius
      (0.26–0.34 × size), body brightness and background brightness are random.
    * **Every** body carries stripes (period size/8, random phase, angle jittered ±8°) and
      every image carries a tag, so both fine cues are always present. Only the cue of the
      image's own family decides its fine class; the other cue is drawn at random and is a
      distractor:
      a cat's fine class is the stripe orientation (horizontal, vertical, diagonal), a dog's
      fine class is the tag colour (red, green, blue). A model therefore has to know the family
      to know which feature to read, which is what an expert per family can specialise in.

    Fine labels are balanced over the ``2 * fine_per_family`` classes (counts differ by at most
    one); cats are ``0..k-1`` and dogs ``k..2k-1`` (names: :func:`family_class_names`).

    Returns ``(x, fine, family)``: ``x`` float32 (n, size, size, 3) in [0, 1]; ``fine`` int64
    (n,) in ``[0, 2k)``; ``family`` int64 (n,) in {0: cat, 1: dog}, equal to ``fine // k``.
    """
    from PIL import Image, ImageDraw

    n = _check_int("n", n, low=1)
    size = _check_int("size", size, low=24, high=64)
    k = _check_int("fine_per_family", fine_per_family, low=2, high=3)
    noise = _check_float("noise", noise, low=0.0, high=0.5)
    rng = _rng(seed)
    fine = _balanced_labels(rng, n, 2 * k)
    family, sub = fine // k, fine % k
    orient = np.where(family == 0, sub, rng.integers(0, k, n))  # the cats' cue
    tag = np.where(family == 1, sub, rng.integers(0, k, n))  # the dogs' cue
    radius = rng.uniform(0.26, 0.34, n) * size
    centre = size / 2 + rng.uniform(-0.1, 0.1, (n, 2)) * size
    tilt = rng.uniform(-15.0, 15.0, n)
    body = np.zeros((n, size, size), dtype=np.float32)
    for i in range(n):  # Pillow draws the body outline, one sample at a time
        img = Image.new("L", (size, size), 0)
        cx, cy, r = centre[i, 0], centre[i, 1], radius[i]
        if family[i] == 0:
            ImageDraw.Draw(img).ellipse([cx - r, cy - r, cx + r, cy + r], fill=255)
        else:  # circumradius r * sqrt(pi / 2): the square has the disc's area
            ImageDraw.Draw(img).regular_polygon((cx, cy, r * 1.25), 4, rotation=tilt[i], fill=255)
        body[i] = np.asarray(img, dtype=np.float32) / 255.0
    # Stripes: a square wave along the chosen angle, vectorised over the batch.
    theta = np.deg2rad(_FAMILY_STRIPE_DEGREES[orient] + rng.uniform(-8.0, 8.0, n))
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    proj = xx[None] * np.cos(theta)[:, None, None] + yy[None] * np.sin(theta)[:, None, None]
    phase = rng.uniform(0.0, 2 * np.pi, n)[:, None, None]
    stripes = (np.sin(2 * np.pi * proj / (size / 8) + phase) > 0).astype(np.float32)
    brightness = rng.uniform(0.45, 0.85, n).astype(np.float32)[:, None, None]
    background = rng.uniform(0.05, 0.3, n).astype(np.float32)[:, None, None]
    grey = background * (1 - body) + brightness * (1.0 - 0.55 * stripes) * body
    x = np.repeat(grey[..., None], 3, axis=-1)
    # Tag: a (size // 5)-pixel square of a saturated colour at a random place.
    t = size // 5
    top, left = rng.integers(0, size - t + 1, (2, n))
    pos = np.arange(size)
    rows = (pos[None] >= top[:, None]) & (pos[None] < top[:, None] + t)
    cols = (pos[None] >= left[:, None]) & (pos[None] < left[:, None] + t)
    in_tag = (rows[:, :, None] & cols[:, None, :])[..., None]
    x = np.where(in_tag, _FAMILY_TAG_RGB[tag][:, None, None, :], x)
    if noise > 0:
        x = x + rng.normal(0.0, noise, x.shape).astype(np.float32)
    return np.clip(x, 0.0, 1.0).astype(np.float32), fine, family


# --------------------------------------------------------------------------------------------
# Data: 04 learned late fusion (two modalities of one latent class, with corruption)
# --------------------------------------------------------------------------------------------

FUSION_CORRUPTION_MODES = ("per_sample", "global")


def make_two_modalities(
    n: int,
    *,
    image_size: int = 16,
    image_noise: float = 0.3,
    seq_len: int = 20,
    vocab_size: int = 60,
    keywords_per_class: int = 3,
    text_noise: float = 0.85,
    corruption: float = 0.0,
    corruption_mode: str = "per_sample",
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two views of one latent class (10 classes): a noisy digit image (A), a token sequence (B).

    How it is made. Modality A: :func:`make_digits` draws ``n`` balanced labels ``y`` in [0, 9]
    and their glyph images (``image_size`` pixels square) with Gaussian pixel noise of std
    ``image_noise`` (clipped to [0, 1]); more noise, harder images. Modality B: class ``c`` owns
    ``keywords_per_class`` keyword ids ``c*K ... c*K+K-1``; the other ids up to ``vocab_size``
    are filler. Each of the ``seq_len`` positions is, with probability ``1 - text_noise``, a
    keyword of the sample's own class, otherwise a token drawn uniformly from the whole
    vocabulary (which may be another class's keyword). A and B are independent given ``y``.

    Corruption makes B uninformative by overwriting positions with uniform random tokens:
    ``corruption_mode="per_sample"`` overwrites *all* positions of a fraction ``corruption`` of
    the samples (the rest stay clean), ``"global"`` overwrites a fraction ``corruption`` of the
    positions (``round(corruption * seq_len)``) of *every* sample. At ``corruption`` 0 and 1
    the two modes agree. The clean data (images, labels, clean tokens) depends on ``seed`` only,
    and the corruption is nested: for one seed, what is corrupted at level 0.25 is also
    corrupted at 0.5, with the same replacement tokens, so levels can be compared sample by
    sample.

    Returns ``(x_image, x_tokens, y, corrupted)``: ``x_image`` float32 (n, image_size,
    image_size) in [0, 1]; ``x_tokens`` int32 (n, seq_len) in [0, vocab_size); ``y`` int64 (n,)
    in [0, 9]; ``corrupted`` float32 (n,), the fraction of each sample's B positions that were
    overwritten (0 or 1 per sample in ``"per_sample"`` mode).
    """
    n = _check_int("n", n, low=1)
    image_size = _check_int("image_size", image_size, low=8, high=64)
    image_noise = _check_float("image_noise", image_noise, low=0.0, high=1.0)
    seq_len = _check_int("seq_len", seq_len, low=1, high=1000)
    keywords_per_class = _check_int("keywords_per_class", keywords_per_class, low=1, high=100)
    vocab_size = _check_int("vocab_size", vocab_size, low=10 * keywords_per_class, high=100_000)
    text_noise = _check_float("text_noise", text_noise, low=0.0, high=1.0)
    corruption = _check_float("corruption", corruption, low=0.0, high=1.0)
    if corruption_mode not in FUSION_CORRUPTION_MODES:
        raise ValueError(
            f"corruption_mode must be one of {FUSION_CORRUPTION_MODES}, got {corruption_mode!r}"
        )
    data_rng, corrupt_rng = _rng(seed).spawn(2)
    # Modality A and the labels.
    x_image, y = make_digits(
        n, size=image_size, noise=image_noise, seed=int(data_rng.integers(2**31 - 1))
    )
    # Modality B, clean: own-class keywords mixed with uniform noise tokens.
    keyword = y[:, None] * keywords_per_class + data_rng.integers(
        0, keywords_per_class, size=(n, seq_len)
    )
    noise_tok = data_rng.integers(0, vocab_size, size=(n, seq_len))
    is_noise = data_rng.random((n, seq_len)) < text_noise
    tokens = np.where(is_noise, noise_tok, keyword)
    # Corruption: always drawn in full, then thresholded, so levels are nested.
    replacement = corrupt_rng.integers(0, vocab_size, size=(n, seq_len))
    sample_u = corrupt_rng.random(n)
    position_rank = np.argsort(corrupt_rng.random((n, seq_len)), axis=1).argsort(axis=1)
    if corruption_mode == "per_sample":
        hit = np.repeat((sample_u < corruption)[:, None], seq_len, axis=1)
    else:
        hit = position_rank < int(round(corruption * seq_len))
    tokens = np.where(hit, replacement, tokens)
    corrupted = hit.mean(axis=1).astype(np.float32)
    return x_image, tokens.astype(np.int32), y, corrupted


# --------------------------------------------------------------------------------------------
# Data: 05 Inception blocks (classes that differ at several spatial scales)
# --------------------------------------------------------------------------------------------


MULTISCALE_CLASS_NAMES = (
    "horizontal / centre",
    "horizontal / frame",
    "horizontal / half",
    "vertical / centre",
    "vertical / frame",
    "vertical / half",
)


def make_multiscale_textures(
    n: int,
    *,
    size: int = 32,
    channels: int = 3,
    noise: float = 0.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Images whose class needs a fine texture *and* a coarse layout: 6 classes.

    Class ``y = 3 * texture + layout`` (names in :data:`MULTISCALE_CLASS_NAMES`):

    * **fine scale, texture** (``y // 3``): a region is filled with stripes of period 2 pixels,
      horizontal (rows alternate +1/-1) or vertical (columns alternate), random phase.
      Everywhere else the pixels are independent random ±1 (same mean 0, same power), so the
      region differs from the rest *only* in its 2-pixel structure: one pixel (1×1) cannot see
      it and a 2×2 average or a stride-2 subsample wipes it out or aliases it.
    * **coarse scale, layout** (``y % 3``): where that region lies. 0 = a disk around the
      centre (radius 0.30–0.38 of the side, centre jittered by ±0.08); 1 = a frame (pixels whose
      Chebyshev distance from a jittered centre exceeds 0.33–0.40 of the side); 2 = one half of
      the image (random side of four, boundary jittered by ±0.1). The region covers roughly 30 %
      to 60 % of the image in every layout, so counting striped pixels does not give the layout.

    Nuisances: Gaussian noise (std ``noise``) on every pixel, a random linear brightness ramp
    across the image (up to ±0.5), and a random per-sample colour tint (gain 0.6–1.0 per
    channel). The grey pattern ``g`` becomes ``x = clip(0.5 + 0.2 * g * tint, 0, 1)``.
    Classes are balanced (counts differ by at most one).

    Returns ``(x, y)``: ``x`` float32 (n, size, size, channels) in [0, 1]; ``y`` int64 (n,) in
    [0, 5].
    """
    n = _check_int("n", n, low=1)
    size = _check_int("size", size, low=8, high=256)
    channels = _check_int("channels", channels, low=1, high=4)
    noise = _check_float("noise", noise, low=0.0, high=3.0)
    rng = _rng(seed)
    y = _balanced_labels(rng, n, 6)
    texture, layout = y // 3, y % 3
    rows = np.arange(size)[None, :, None]  # (1, size, 1)
    cols = np.arange(size)[None, None, :]  # (1, 1, size)
    u = (rows + 0.5) / size - 0.5  # vertical position in [-0.5, 0.5]
    v = (cols + 0.5) / size - 0.5  # horizontal position
    # Fine scale: period-2 stripes (texture 0 horizontal, 1 vertical) vs isotropic ±1 noise.
    phase = rng.integers(0, 2, size=n)[:, None, None]
    line = np.where(texture[:, None, None] == 0, rows + 0 * cols, cols + 0 * rows)
    stripes = np.where((line + phase) % 2 == 0, 1.0, -1.0)
    speckle = rng.choice(np.array([-1.0, 1.0]), size=(n, size, size))
    # Coarse scale: where the stripes go.
    cu, cv = rng.uniform(-0.08, 0.08, size=(2, n, 1, 1))
    disk = (u - cu) ** 2 + (v - cv) ** 2 < rng.uniform(0.30, 0.38, size=(n, 1, 1)) ** 2
    frame = np.maximum(np.abs(u - cu), np.abs(v - cv)) > rng.uniform(0.33, 0.40, size=(n, 1, 1))
    side = rng.integers(0, 4, size=n)[:, None, None]
    offset = rng.uniform(-0.1, 0.1, size=(n, 1, 1))
    coord = np.where(side % 2 == 0, u + 0 * v, v + 0 * u) * np.where(side < 2, 1.0, -1.0)
    half = coord < offset
    lay = layout[:, None, None]
    mask = np.where(lay == 0, disk, np.where(lay == 1, frame, half))
    grey = np.where(mask, stripes, speckle)
    # Nuisances: pixel noise, a brightness ramp, a colour tint.
    grey = grey + rng.normal(0.0, 1.0, size=grey.shape) * noise
    ramp = rng.uniform(-0.5, 0.5, size=(2, n, 1, 1))
    grey = grey + ramp[0] * u * 2 + ramp[1] * v * 2
    tint = rng.uniform(0.6, 1.0, size=(n, 1, 1, channels))
    x = np.clip(0.5 + 0.2 * grey[..., None] * tint, 0.0, 1.0)
    return x.astype(np.float32), y


def to_display_uint8(image, *, method: str = "minmax") -> np.ndarray:
    """Map one float image (H, W, C) to uint8 in [0, 255] for ``PIL.Image.fromarray``.

    ``method="minmax"``: ``(x - min) / (max - min) * 255`` (subtract the *minimum*, so the
    darkest value becomes 0 and the brightest 255). ``method="meanstd"``: standardise to
    ``z = (x - mean) / std``, then show ``z`` in [-2.5, 2.5] linearly as [0, 255] (values beyond
    ±2.5 std are clipped). ``method="raw"``: round and clip the values as they are to [0, 255].
    A constant image maps to mid-grey (128) in ``minmax`` and ``meanstd``. Pillow refuses
    float32 RGB arrays (``TypeError: Cannot handle this data type``), hence the uint8 output.

    Returns uint8 array of the input's shape.
    """
    arr = np.asarray(image, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[-1] not in (1, 3, 4) or arr.size == 0:
        raise ValueError(f"image must have shape (H, W, C) with C in (1, 3, 4), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("image must contain only finite values")
    if method == "raw":
        out = arr
    elif method == "minmax":
        lo, hi = arr.min(), arr.max()
        out = (arr - lo) / (hi - lo) * 255.0 if hi > lo else np.full_like(arr, 128.0)
    elif method == "meanstd":
        std = arr.std()
        z = (arr - arr.mean()) / std if std > 0 else np.zeros_like(arr)
        out = (np.clip(z, -2.5, 2.5) + 2.5) / 5.0 * 255.0
    else:
        raise ValueError(f"method must be one of 'raw', 'minmax', 'meanstd', got {method!r}")
    return np.clip(np.round(out), 0, 255).astype(np.uint8)
