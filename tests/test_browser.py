"""The main job, tested as a person does it: a notebook run in JupyterLab, in a real browser.

Starts JupyterLab from this project's environment on a free local port, opens a copy of the
fastest notebook (by ``data/times.json``; notebook 01 until that exists) in headless Chromium
(Debian's ``chromium``, driven by Playwright; nothing is downloaded), clicks Run → Run All Cells,
waits for the kernel to finish, and checks what a reader sees: every cell ran, no cell shows an
error, the figures render as images, the results table renders, and the kernel is this
project's environment with ``helpers`` importable from the notebook's folder. A screenshot is
saved under ``tmp/browser-test/`` (ignored by git).

The notebook is copied (outputs cleared) to ``tmp/browser-test/lab/notebooks/``, so JupyterLab's
autosave never touches the committed one, and its results go to a temporary folder
(``RESULTS_OUTPUT_DIR``). Runs only when ``BROWSER_TEST`` is set (``make browser-test`` and
``make test`` set it): ``1`` skips with a message where Chromium or Playwright is missing,
``require`` (CI) fails instead.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _fastest_notebook() -> str:
    """The notebook with the shortest wall time in data/times.json (``make times``), else 01."""
    try:
        measured = json.loads((ROOT / "data" / "times.json").read_text(encoding="utf-8"))
        stem = min(measured["notebooks"].items(), key=lambda kv: kv[1]["seconds"])[0]
    except (OSError, ValueError, KeyError, TypeError):
        return "notebooks/01_functional_api_basics.ipynb"
    path = f"notebooks/{stem}.ipynb"
    return path if (ROOT / path).exists() else "notebooks/01_functional_api_basics.ipynb"


# BROWSER_TEST_NOTEBOOK=notebooks/NAME.ipynb runs another notebook than the fastest.
NOTEBOOK_PATH = ROOT / (os.environ.get("BROWSER_TEST_NOTEBOOK") or _fastest_notebook())
NOTEBOOK = NOTEBOOK_PATH.name
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags for Chromium on a machine with no display, no GPU and a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUN_TIMEOUT_S = float(os.environ.get("BROWSER_TEST_TIMEOUT", "600"))
WORK = ROOT / "tmp" / "browser-test"
# JupyterLab settings for a quiet, deterministic session: every cell rendered (no virtual
# scrolling), no autosave, no news or update checks (the machine may have no network).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
ERROR_LINE = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\b", re.M)


def _mode() -> str:
    mode = os.environ.get("BROWSER_TEST", "").strip().lower()
    if mode in ("", "0", "no", "false"):
        pytest.skip("browser test off: `make browser-test` (or BROWSER_TEST=1) runs it")
    return mode


def _missing(reason: str, mode: str):
    if mode == "require":
        pytest.fail(f"browser test required (BROWSER_TEST=require) but {reason}")
    pytest.skip(f"browser test skipped: {reason}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare_lab_root() -> Path:
    """A fresh copy of the notebook, outputs and execution counts cleared, and lab settings."""
    if WORK.exists():
        shutil.rmtree(WORK)
    notebooks = WORK / "lab" / "notebooks"
    notebooks.mkdir(parents=True)
    nb = json.loads(NOTEBOOK_PATH.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    (notebooks / NOTEBOOK).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    for name, value in LAB_SETTINGS.items():
        path = WORK / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")
    (WORK / "results").mkdir()
    return notebooks / NOTEBOOK


def _start_lab(port: int, token: str) -> tuple[subprocess.Popen, Path]:
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(WORK / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(WORK / "workspaces"),
        RESULTS_OUTPUT_DIR=str(WORK / "results"),
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    log = WORK / "jupyterlab.log"
    cmd = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={WORK / 'lab'}",
    ]
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=WORK)
    deadline = time.monotonic() + 90
    url = f"http://127.0.0.1:{port}/api/status?token={token}"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc, log
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise AssertionError(f"JupyterLab did not start:\n{log.read_text(errors='replace')[-3000:]}")


def _page_report(page, log: Path) -> str:
    """What the page showed: error outputs, prompts, a snippet of the page text, the server log."""
    try:
        errors = page.locator(STDERR_OUTPUT).all_inner_texts()
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        text = page.inner_text("body")
    except Exception as err:  # the page itself may be gone
        return f"(page not readable: {err})"
    lines = ["--- stderr/error outputs on the page ---"]
    lines += [e[-1500:] for e in errors] or ["(none)"]
    lines += ["--- input prompts ---", " ".join(p.strip() for p in prompts)]
    lines += ["--- page text (first 3000 characters) ---", text[:3000]]
    lines += [
        "--- JupyterLab log (last 2000 characters) ---",
        log.read_text(errors="replace")[-2000:],
    ]
    return "\n".join(lines)


def test_notebook_runs_in_jupyterlab_in_a_browser():
    mode = _mode()
    if not Path(CHROMIUM).exists():
        _missing(
            f"Chromium is not at {CHROMIUM} (install Debian's `chromium` package; "
            "`make chromium` does where apt-get can run as root)",
            mode,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (`pip install -r requirements.txt`)", mode)

    started = time.perf_counter()
    notebook = _prepare_lab_root()
    code_cells = sum(
        c["cell_type"] == "code" for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    )
    port, token = _free_port(), secrets.token_hex(16)
    lab, log = _start_lab(port, token)
    screenshot = WORK / f"{Path(NOTEBOOK).stem}.png"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            try:
                _run_and_check(page, port, token, code_cells)
            except Exception as err:
                page.screenshot(path=str(screenshot))
                raise AssertionError(
                    f"{err}\nscreenshot: {screenshot.relative_to(ROOT)}\n{_page_report(page, log)}"
                ) from None
            page.screenshot(path=str(screenshot))
            browser.close()
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.kill()
    saved = sorted(p.name for p in (WORK / "results").glob("*.json"))
    assert saved, f"the notebook saved no results to {WORK / 'results'} (RESULTS_OUTPUT_DIR)"
    print(
        f"\nbrowser test: {NOTEBOOK} ran in JupyterLab in {time.perf_counter() - started:.0f} s; "
        f"screenshot: {screenshot.relative_to(ROOT)}"
    )


def _run_and_check(page, port: int, token: str, code_cells: int) -> None:
    page.goto(f"http://127.0.0.1:{port}/lab/tree/notebooks/{NOTEBOOK}?token={token}")
    cells = page.locator(".jp-NotebookPanel .jp-CodeCell")
    try:  # the notebook shows one empty cell until its content has loaded
        page.wait_for_function(
            "n => document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell').length === n",
            arg=code_cells,
            timeout=90_000,
        )
    except Exception:
        raise AssertionError(f"{cells.count()} code cells shown, {code_cells} in file") from None
    _wait_kernel_idle(page, 90)

    # Run → Run All Cells, through the menu as a person does (again if the first click came
    # before the kernel's connection was ready and no cell started).
    for attempt in range(3):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            page.wait_for_function(
                "() => !/^\\[ \\]:$/.test(document.querySelector("
                "'.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt').textContent.trim())",
                timeout=20_000,
            )
            break
        except Exception:
            if attempt == 2:
                raise AssertionError("Run All Cells started no cell (three tries)") from None
            _wait_kernel_idle(page, 60)
    # Wait until no cell is queued or running ([*]); Run All stops at a cell that fails.
    page.wait_for_function(
        """() => {
            const sel = '.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt';
            const p = [...document.querySelectorAll(sel)].map(e => e.textContent.trim());
            return /^\\[\\d+\\]:$/.test(p[0] || '') && !p.some(t => t.includes('*'));
        }""",
        timeout=RUN_TIMEOUT_S * 1000,
        polling=1000,
    )
    _wait_kernel_idle(page, 60)
    # No cell shows an error (a traceback, or an exception's name at the start of a line).
    errors = [t for t in page.locator(STDERR_OUTPUT).all_inner_texts() if ERROR_LINE.search(t)]
    assert not errors, "a cell shows an error:\n" + "\n---\n".join(e[-1500:] for e in errors)
    # Every code cell has an execution count.
    prompts = [t.strip() for t in cells.locator(".jp-InputPrompt").all_inner_texts()]
    not_run = [i + 1 for i, t in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:", t)]
    assert not not_run, f"code cells {not_run} (of {len(prompts)}) did not run"
    # The figures render as images.
    images = page.locator(".jp-OutputArea-output img")
    assert images.count() > 0, "no figure rendered"
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-OutputArea-output img')].every(i => i.complete)",
        timeout=30_000,
    )
    broken = page.evaluate(
        "() => [...document.querySelectorAll('.jp-OutputArea-output img')]"
        ".filter(i => !(i.naturalWidth > 0)).length"
    )
    assert broken == 0, f"{broken} of {images.count()} images did not render"
    # The results table (helpers.save_results renders as an HTML table).
    table = page.locator(".jp-OutputArea-output table", has=page.locator("th", has_text="result"))
    assert table.count() >= 1, "the results table (helpers.save_results) did not render"
    assert table.last.locator("tbody tr").count() > 0, "the results table is empty"
    table.last.scroll_into_view_if_needed()

    # The kernel is this project's environment and `helpers` is the repository's: type a cell
    # at the end of the (copied) notebook and run it, as a reader checking their setup would.
    cells = page.locator(".jp-NotebookPanel .jp-CodeCell")
    cells.last.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.insert_text(
        "import sys, helpers; print('PREFIX=' + sys.prefix); print('HELPERS=' + helpers.__file__)"
    )
    page.keyboard.press("Shift+Enter")
    check = cells.nth(code_cells)
    out = check.locator(".jp-OutputArea-output")
    out.first.wait_for(timeout=60_000)
    text = "\n".join(out.all_inner_texts())
    found = dict(re.findall(r"^(PREFIX|HELPERS)=(.*)$", text, re.M))
    assert found.keys() == {"PREFIX", "HELPERS"}, f"the check cell printed:\n{text}"
    assert Path(found["PREFIX"]).resolve() == Path(sys.prefix).resolve(), (
        f"the kernel runs in {found['PREFIX']}, not in this project's environment {sys.prefix}"
    )
    assert Path(found["HELPERS"]).resolve() == ROOT / "helpers.py", (
        f"`import helpers` found {found['HELPERS']}, not {ROOT / 'helpers.py'}"
    )
    table.last.scroll_into_view_if_needed()


def _wait_kernel_idle(page, seconds: float) -> None:
    """Wait until the status bar says the notebook's kernel is connected and idle."""
    page.wait_for_function(
        """() => {
            const bar = document.querySelector('#jp-main-statusbar');
            return /\\(ipykernel\\)\\s*\\|\\s*Idle/.test(bar ? bar.textContent : '');
        }""",
        timeout=seconds * 1000,
        polling=500,
    )
