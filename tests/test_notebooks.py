"""Hygiene of the committed notebooks (static: nothing is executed here; nbval runs them)."""

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MACHINE_PATH = re.compile(
    r"(?<![\w.])/(?:work|tmp|root|home|Users|private|var/folders)/[^\s\"'<>]+"
)


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def test_there_are_notebooks_in_reading_order():
    names = [p.name for p in NOTEBOOKS]
    assert names, "no notebooks found in notebooks/"
    prefixes = [n.split("_", 1)[0] for n in names]
    assert all(p.isdigit() and len(p) == 2 for p in prefixes), names
    assert len(set(prefixes)) == len(prefixes), f"duplicate numbers: {names}"


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return request.param, _load(request.param)


def test_has_stored_outputs_in_fresh_kernel_order(notebook):
    path, nb = notebook
    cells = _code_cells(nb)
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(cells)}; "
        "re-execute with `make execute`"
    )
    assert any(c["outputs"] for c in cells), f"{path.name}: no stored outputs"


def test_no_error_outputs(notebook):
    path, nb = notebook
    for i, cell in enumerate(_code_cells(nb), 1):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", (
                f"{path.name}: code cell {i} stored an error {out.get('ename')}: "
                f"{out.get('evalue')}"
            )


def test_parameters_cell_defines_seed(notebook):
    path, nb = notebook
    tagged = [c for c in _code_cells(nb) if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
    names = {
        t.id
        for node in ast.walk(ast.parse(_source(tagged[0])))
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    assert "SEED" in names, f"{path.name}: the parameters cell must define SEED"


def test_parameters_cell_holds_only_literal_assignments(notebook):
    """papermill injects its values in a cell *after* the parameters cell, so a value derived
    there (``SEEDS = [SEED, SEED + 1]``) would keep the old seed: only literals belong there."""
    path, nb = notebook
    (cell,) = [c for c in _code_cells(nb) if "parameters" in c["metadata"].get("tags", [])]
    for node in ast.parse(_source(cell)).body:
        where = f"{path.name}, parameters cell line {node.lineno}"
        assert isinstance(node, ast.Assign), f"{where}: only assignments belong here"
        for target in node.targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            assert all(isinstance(t, ast.Name) for t in names), f"{where}: assign plain names"
        try:
            ast.literal_eval(node.value)
        except ValueError:
            raise AssertionError(
                f"{where}: `{ast.unparse(node)}` is not a literal; compute derived values in "
                "the next cell, where papermill's injected parameters are already set"
            ) from None


def test_no_machine_paths_or_memory_addresses_in_outputs(notebook):
    path, nb = notebook
    for i, cell in enumerate(_code_cells(nb), 1):
        for out in cell["outputs"]:
            text = json.dumps({k: v for k, v in out.items() if k != "data"})
            text += json.dumps(
                {k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")}
            )
            match = MACHINE_PATH.search(text)
            assert match is None, f"{path.name}: cell {i} output shows a path {match.group()}"
            assert not re.search(r"at 0x[0-9a-f]{6,}", text), (
                f"{path.name}: cell {i} output shows an object repr with a memory address; "
                "end plotting cells with plt.show()"
            )


def test_small_file(notebook):
    path, _ = notebook
    assert path.stat().st_size < 2_000_000, f"{path.name}: {path.stat().st_size} bytes >= 2 MB"


def test_no_sys_path_hacks_and_english_kernel(notebook):
    path, nb = notebook
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in _code_cells(nb):
        assert "sys.path" not in _source(cell), f"{path.name}: edit of sys.path; use the venv"


def test_saves_its_results(notebook):
    path, nb = notebook
    stem = path.stem
    assert any(f'save_results("{stem}"' in _source(c) for c in _code_cells(nb)), (
        f'{path.name}: must end by calling helpers.save_results("{stem}", ...)'
    )
    assert (ROOT / "data" / "results" / f"{stem}.json").exists(), (
        f"data/results/{stem}.json is missing: execute the notebook (`make execute`)"
    )
