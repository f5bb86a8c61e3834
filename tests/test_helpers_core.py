"""Unit tests for the core of helpers.py: seeding, timing, results, plots."""

import json
import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import helpers  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---- seeding ------------------------------------------------------------------------------


def test_set_seed_returns_reproducible_generator_and_seeds_keras():
    import keras

    def init_weights():
        layer = keras.layers.Dense(3)
        layer.build((None, 2))
        return np.asarray(layer.kernel)

    a, wa = helpers.set_seed(3).random(4), init_weights()
    b, wb = helpers.set_seed(3).random(4), init_weights()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a, helpers.set_seed(4).random(4))
    assert not np.array_equal(wa, init_weights())


@pytest.mark.parametrize(
    "seed, err, match",
    [
        (-1, ValueError, "seed must be >= 0"),
        (1.5, TypeError, "seed must be an int"),
        (True, TypeError, "seed must be an int"),
        ("1", TypeError, "seed must be an int"),
    ],
)
def test_set_seed_rejects_bad_seed(seed, err, match):
    with pytest.raises(err, match=match):
        helpers.set_seed(seed)


def _tiny_builder():
    import keras

    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Dense(4)(inputs)))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    return model


def test_start_from_seed_reuses_the_model_and_trains_like_a_fresh_one():
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x.sum(1, keepdims=True)

    def train(model):
        model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
        return [w.copy() for w in model.get_weights()]

    fresh = helpers.start_from_seed(None, _tiny_builder, 2)  # seeds, then builds
    expected = train(fresh)
    model = helpers.start_from_seed(None, _tiny_builder, 1)
    train(model)  # its optimizer now has moments and a step count
    reused = helpers.start_from_seed(model, _tiny_builder, 2)
    assert reused is model
    for a, b in zip(train(reused), expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_start_from_seed_rejects_bad_input():
    import keras

    with pytest.raises(TypeError, match="builder must be callable"):
        helpers.start_from_seed(None, "model", 0)
    with pytest.raises(TypeError, match="model must be None or a compiled keras.Model"):
        helpers.start_from_seed(object(), _tiny_builder, 0)
    inputs = keras.Input((3,))
    other = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    other.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="architecture builder"):
        helpers.start_from_seed(other, _tiny_builder, 0)


def test_quiet_native_stderr_silences_fd2_and_restores_it(capfd):
    with helpers.quiet_native_stderr():
        os.write(2, b"hidden\n")
    os.write(2, b"shown\n")
    err = capfd.readouterr().err
    assert "hidden" not in err
    assert "shown" in err


# ---- timing -------------------------------------------------------------------------------


def test_median_time_counts_calls_and_is_median():
    calls = []
    t = helpers.median_time(lambda: calls.append(1), repeats=5, warmup=2)
    assert len(calls) == 7
    assert 0 <= t < 0.1


def test_median_time_measures_sleep():
    import time

    t = helpers.median_time(lambda: time.sleep(0.02), repeats=3, warmup=0)
    assert 0.018 <= t < 0.2


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"fn": 3}, TypeError, "fn must be callable"),
        ({"repeats": 0}, ValueError, "repeats must be >= 1"),
        ({"warmup": -1}, ValueError, "warmup must be >= 0"),
        ({"repeats": 2.0}, TypeError, "repeats must be an int"),
    ],
)
def test_median_time_rejects_bad_input(kwargs, err, match):
    args = {"fn": lambda: None, **kwargs}
    fn = args.pop("fn")
    with pytest.raises(err, match=match):
        helpers.median_time(fn, **args)


# ---- results ------------------------------------------------------------------------------


def test_mean_std_is_the_sample_std():
    assert helpers.mean_std([1.0, 2.0, 3.0]) == {"mean": 2.0, "std": 1.0}  # ddof=1, not 0.8165
    assert helpers.mean_std([0.123456], digits=2) == {"mean": 0.12, "std": 0.0}


@pytest.mark.parametrize("values", [[], [[1.0, 2.0]], [1.0, float("nan")]])
def test_mean_std_rejects_bad_values(values):
    with pytest.raises(ValueError, match="values must"):
        helpers.mean_std(values)


def test_save_results_writes_json_and_renders(tmp_path):
    res = {"acc": {"mean": 0.9, "std": 0.01}, "nested": {"a": 1, "b": 2.5}, "n": 3}
    table = helpers.save_results("01_demo", res, directory=tmp_path)
    assert json.loads((tmp_path / "01_demo.json").read_text()) == res
    text = repr(table)
    assert "0.900 ± 0.010" in text and "nested.a" in text
    assert "<table>" in table._repr_html_()
    assert str(tmp_path) not in text  # never an absolute path in a notebook output


@pytest.mark.parametrize(
    "name, results, match",
    [
        ("", {"a": 1}, "name must be"),
        ("bad name", {"a": 1}, "name must be"),
        ("../x", {"a": 1}, "name must be"),
        ("ok", {}, "results must be a non-empty dict"),
        ("ok", {"a": object()}, "results must hold only JSON"),
        ("ok", {"a": float("nan")}, "results must hold only JSON"),
    ],
)
def test_save_results_rejects_bad_input(tmp_path, name, results, match):
    with pytest.raises(ValueError, match=match):
        helpers.save_results(name, results, directory=tmp_path)


def test_save_results_honours_results_output_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RESULTS_OUTPUT_DIR", str(tmp_path))
    helpers.save_results("03_z", {"a": 1})
    assert json.loads((tmp_path / "03_z.json").read_text()) == {"a": 1}


def test_results_markdown_without_findings_and_readme_update(tmp_path, monkeypatch):
    helpers.save_results("01_x", {"acc": {"mean": 0.5, "std": 0.1}}, directory=tmp_path)
    monkeypatch.setattr(helpers, "RESULTS_DIR", tmp_path)
    md = helpers.results_markdown()
    assert md.startswith("### [01_x](notebooks/01_x.ipynb)\n\nNo answered questions saved yet.")
    assert "<details><summary>All 1 numbers it saved</summary>" in md
    assert "| acc | 0.500 ± 0.100 |" in md and md.rstrip().endswith("</details>")
    grouped = helpers.results_markdown(
        {"02_y": {"n": 1, "sweep": {"0.5": {"a": 0.25, "b": 2}, "w_0.2": 3}}}
    )
    assert "| n | 1 |\n| sweep.0.5 | a: 0.25; b: 2 |\n| sweep | w_0.2: 3 |" in grouped
    readme = tmp_path / "README.md"
    readme.write_text(f"top\n{helpers.README_START}\nold\n{helpers.README_END}\nbottom\n")
    helpers.update_readme_results(readme)
    text = readme.read_text()
    assert "old" not in text and "01_x" in text and text.startswith("top") and "bottom" in text
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="readme must contain the markers"):
        helpers.update_readme_results(readme)


def test_committed_results_are_in_readme():
    """README's results and wall times are regenerated (run `make readme` if this fails)."""
    if not helpers.load_all_results():
        pytest.skip("no results yet")
    readme = (helpers.ROOT / "README.md").read_text(encoding="utf-8")
    assert helpers.render_readme(readme) == readme, "README is stale: run `make readme`"


# ---- plots --------------------------------------------------------------------------------


def test_plot_history_draws_train_and_val():
    fig = helpers.plot_history(
        {"a": {"loss": [1, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.7]}},
        metrics=["loss", "accuracy"],
    )
    assert len(fig.axes) == 2
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 1
    assert fig.axes[0].get_xlabel() == "epoch" and fig.axes[0].get_ylabel() == "loss"


@pytest.mark.parametrize(
    "histories, metrics, match",
    [
        ({}, ["loss"], "histories must be"),
        ({"a": {"loss": [1]}}, "loss", "metrics must be"),
        ({"a": {"loss": [1]}}, ["auc"], "no run has 'auc'"),
    ],
)
def test_plot_history_rejects_bad_input(histories, metrics, match):
    with pytest.raises(ValueError, match=match):
        helpers.plot_history(histories, metrics=metrics)


def test_show_images_grid_and_titles():
    imgs = np.random.default_rng(0).random((5, 8, 8, 3))
    fig = helpers.show_images(imgs, [0, 1, 0, 1, 1], class_names=["cat", "dog"], ncols=3)
    titled = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titled == ["cat", "dog", "cat", "dog", "dog"]
    assert len(fig.axes) == 6  # 2 rows x 3 columns


@pytest.mark.parametrize(
    "images, labels, match",
    [
        (np.zeros((2, 4)), None, "images must have shape"),
        (np.zeros((2, 4, 4, 2)), None, "images must have shape"),
        (np.zeros((0, 4, 4)), None, "at least one image"),
        (np.zeros((2, 4, 4)), [1], "labels must have one entry per image"),
    ],
)
def test_show_images_rejects_bad_input(images, labels, match):
    with pytest.raises(ValueError, match=match):
        helpers.show_images(images, labels)


def test_confusion_matrix_counts():
    c = helpers.confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2], n_classes=3)
    np.testing.assert_array_equal(c, [[1, 1, 0], [0, 1, 0], [0, 0, 1]])
    assert c.dtype == np.int64


@pytest.mark.parametrize(
    "yt, yp, k, match",
    [
        ([0, 1], [0], 2, "must match in length"),
        ([0, 3], [0, 1], 3, "y_true must hold class ids"),
        ([0, 1], [0, -1], 2, "y_pred must hold class ids"),
        ([0], [0], 1, "n_classes must be"),
    ],
)
def test_confusion_matrix_rejects_bad_input(yt, yp, k, match):
    with pytest.raises(ValueError, match=match):
        helpers.confusion_matrix(yt, yp, n_classes=k)


def test_plot_confusion_labels_axes():
    fig = helpers.plot_confusion([0, 1, 1], [0, 1, 0], class_names=["a", "b"])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    with pytest.raises(ValueError, match="class_names must be"):
        helpers.plot_confusion([0], [0], class_names=["only"])


def test_bar_with_errors_draws_bars_and_baseline():
    fig = helpers.bar_with_errors(
        ["a", "b"], [0.5, 0.7], [0.01, 0.02], ylabel="accuracy", baseline=0.1
    )
    ax = fig.axes[0]
    assert len(ax.patches) == 2 and ax.get_ylabel() == "accuracy"
    assert any(line.get_linestyle() == "--" for line in ax.lines)


@pytest.mark.parametrize(
    "names, means, stds, ylabel, match",
    [
        ([], [], None, "y", "names and means must be"),
        (["a"], [1, 2], None, "y", "names and means"),
        (["a"], [1], [1, 2], "y", "stds must have one entry"),
        (["a"], [1], None, "", "ylabel must"),
    ],
)
def test_bar_with_errors_rejects_bad_input(names, means, stds, ylabel, match):
    with pytest.raises(ValueError, match=match):
        helpers.bar_with_errors(names, means, stds, ylabel=ylabel)


def test_plot_model_diagram_or_fallback(monkeypatch, capsys):
    import keras

    inp = keras.Input((3,))
    model = keras.Model(inp, keras.layers.Dense(2)(inp))
    monkeypatch.setattr(helpers, "graphviz_available", lambda: False)
    assert helpers.plot_model(model) is None
    out = capsys.readouterr().out
    assert "Graphviz 'dot' is not installed" in out and "Total params" in out
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        helpers.plot_model("not a model")
    with pytest.raises(ValueError, match="dpi must be"):
        helpers.plot_model(model, dpi=5)


@pytest.mark.skipif(not helpers.graphviz_available(), reason="Graphviz 'dot' not installed")
def test_plot_model_returns_png_image():
    import keras

    inp = keras.Input((3,))
    image = helpers.plot_model(keras.Model(inp, keras.layers.Dense(2)(inp)))
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"


# ---- evidence protocol ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [(0.975, 1, 12.7062), (0.975, 4, 2.77645), (0.975, 9, 2.26216), (0.95, 4, 2.13185),
     (0.975, 30, 2.04227), (0.025, 4, -2.77645), (0.5, 7, 0.0)],
)  # fmt: skip
def test_student_t_quantile_matches_tables(p, df, expected):
    assert helpers.student_t_quantile(p, df) == pytest.approx(expected, abs=2e-5)


@pytest.mark.parametrize(
    ("args", "exc", "match"),
    [((1.0, 4), ValueError, "p must be in"), ((0.0, 4), ValueError, "p must be in"),
     ((0.9, 0), ValueError, "df must be"), ((0.9, 2.5), TypeError, "df must be an int")],
)  # fmt: skip
def test_student_t_quantile_rejects_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        helpers.student_t_quantile(*args)


def test_compare_paired_interval_above_zero():
    a = [0.90, 0.91, 0.92, 0.93, 0.95]
    b = [0.85, 0.90, 0.88, 0.90, 0.90]
    c = helpers.compare_paired(a, b, names=("gated", "plain"))
    diffs = np.subtract(a, b)
    assert c.differences == pytest.approx(diffs.tolist())
    assert c.mean == pytest.approx(diffs.mean())
    assert c.std == pytest.approx(diffs.std(ddof=1))
    half = 2.776445 * diffs.std(ddof=1) / np.sqrt(5)
    assert (c.low, c.high) == pytest.approx((diffs.mean() - half, diffs.mean() + half), abs=1e-6)
    assert c.low > 0 and c.a_beats_b and not c.b_beats_a
    assert c.wins == 5 and c.verdict == "gated beats plain"
    text = str(c)
    assert "gated − plain: +0.036" in text and "95% CI [+0.015, +0.057]" in text
    assert "sample std" in text and "gated ahead on 5 of 5 seeds" in text
    saved = c.as_dict()
    assert saved["ci"] == [round(c.low, 4), round(c.high, 4)] and saved["a_ahead"] == 5
    json.dumps(saved)


def test_compare_paired_interval_straddles_zero():
    a = [0.90, 0.85, 0.92, 0.88, 0.95]
    b = [0.88, 0.90, 0.88, 0.90, 0.90]
    c = helpers.compare_paired(a, b)
    assert c.low < 0 < c.high
    assert not c.a_beats_b and not c.b_beats_a
    assert c.verdict == "inconclusive at 5 seeds"
    assert c.wins == 3
    with pytest.raises(ValueError, match="equivalent needs delta"):
        _ = c.equivalent
    wide = helpers.compare_paired(a, b, delta=0.1)
    assert wide.equivalent and wide.verdict.startswith("no difference that matters")
    narrow = helpers.compare_paired(a, b, delta=0.01)
    assert not narrow.equivalent and narrow.verdict == "inconclusive at 5 seeds"


def test_compare_paired_detectable_but_inside_delta_says_both():
    a = [0.964, 0.973, 0.972, 0.971, 0.960]
    b = [0.959, 0.962, 0.959, 0.958, 0.953]
    c = helpers.compare_paired(a, b, names=("inception", "plain"), delta=0.02)
    assert c.a_beats_b and c.equivalent
    assert c.verdict == "inception ahead, but within ±0.02: no difference that matters"
    assert helpers.compare_paired(a, b, names=("inception", "plain")).verdict == (
        "inception beats plain"
    )


def test_compare_paired_b_beats_a_and_identical_differences():
    c = helpers.compare_paired([0.5, 0.6, 0.7], [0.6, 0.7, 0.8], names=("x", "y"))
    assert c.std == pytest.approx(0.0, abs=1e-12) and c.high < 0
    assert c.verdict == "y beats x" and c.wins == 0


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "exc", "match"),
    [([0.5], [0.4], {}, ValueError, "at least 2 paired seeds"),
     ([0.5, 0.6], [0.4], {}, ValueError, "one score per seed"),
     ([0.5, float("nan")], [0.4, 0.5], {}, ValueError, "finite"),
     ([0.5, 0.6], [0.4, 0.5], {"names": ("a",)}, ValueError, "names must be two"),
     ([0.5, 0.6], [0.4, 0.5], {"confidence": 1.0}, ValueError, "confidence must be in"),
     ([0.5, 0.6], [0.4, 0.5], {"delta": 0.0}, ValueError, "delta must be in"),
     ([0.5, 0.6], [0.4, 0.5], {"delta": "big"}, TypeError, "delta must be a number")],
)  # fmt: skip
def test_compare_paired_rejects_bad_input(a, b, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        helpers.compare_paired(a, b, **kwargs)


def test_format_bounds_shows_order():
    assert helpers.format_bounds(0.87, floor=0.8, ceiling=0.96) == (
        "floor 0.800 ≤ model 0.870 ≤ ceiling 0.960"
    )
    assert "floor 0.90 > mlp 0.85 ≤ ceiling 0.99" == helpers.format_bounds(
        0.85, floor=0.9, ceiling=0.99, name="mlp", digits=2
    )
    with pytest.raises(ValueError, match="name must be"):
        helpers.format_bounds(0.5, floor=0.1, ceiling=0.9, name="")
    with pytest.raises(ValueError, match="floor must be in"):
        helpers.format_bounds(0.5, floor=float("nan"), ceiling=0.9)


def test_finding_is_json_and_validated():
    f = _two_findings()[0]
    assert f["interval"] == [0.0152, 0.0568] and f["baseline"] == "plain"
    json.dumps(f)
    with pytest.raises(ValueError, match="question must be"):
        helpers.finding("", "yes", evidence="x")
    with pytest.raises(ValueError, match="interval must be two numbers"):
        helpers.finding("q?", "yes", evidence="x", interval=(1.0,))
    with pytest.raises(ValueError, match="low <= high"):
        helpers.finding("q?", "yes", evidence="x", interval=(1.0, 0.0))


# ---- README: answers at a glance, wall times ------------------------------------------------


def _two_findings():
    return [
        helpers.finding(
            "Does gating help?",
            "Yes: +3.6 points",
            evidence="gated − plain: +0.036 (95% CI [+0.015, +0.057]), 5 seeds",
            value=0.036,
            interval=(0.0152, 0.0568),
            baseline="plain",
            floor=0.5,
            ceiling=0.97,
        ),
        helpers.finding("Is the <shape> | colour used?", "Not tested", evidence="see notebook"),
    ]


def test_results_markdown_renders_findings_with_details():
    res = {"findings": _two_findings(), "acc": 0.91, "sweep": {"a": 1, "b": 2}}
    md = helpers.results_markdown({"03_z": res})
    lines = md.splitlines()
    assert lines[0] == "### [03_z](notebooks/03_z.ipynb)"
    assert "| question | answer | measured | evidence |" in lines
    assert (
        "| Does gating help? | Yes: +3.6 points | 0.036 (95 % CI [0.015, 0.057]) vs plain; "
        "task floor 0.500, ceiling 0.970 | "
        "gated − plain: +0.036 (95% CI [+0.015, +0.057]), 5 seeds |"
    ) in lines
    # Only what is present is shown; `|` and `<` can't break the table.
    assert "| Is the &lt;shape> \\| colour used? | Not tested | — | see notebook |" in lines
    assert "<details><summary>All 3 other numbers it saved</summary>" in lines
    assert "| acc | 0.91 |" in lines and "| sweep | a: 1; b: 2 |" in lines
    assert "findings" not in md.split("<details>", 1)[1]  # no raw JSON dump of the findings


def test_results_markdown_findings_only_has_no_details():
    md = helpers.results_markdown({"04_w": {"findings": _two_findings()[:1]}})
    assert "<details>" not in md and "Does gating help?" in md


def test_measured_column_variants():
    f = helpers.finding("q?", "a", evidence="e", interval=(-0.01, 0.02), floor=0.1)
    assert helpers._measured(f) == "(95 % CI [-0.010, 0.020]); task floor 0.100"
    assert (
        helpers._measured(helpers.finding("q?", "a", evidence="e", ceiling=1))
        == "task ceiling 1.000"
    )
    assert helpers._measured(helpers.finding("q?", "a", evidence="e", value=5297546)) == "5,297,546"
    assert helpers._measured(helpers.finding("q?", "a", evidence="e", value=-0.004)) == "-0.004"
    assert helpers._measured(helpers.finding("q?", "a", evidence="e", value=0)) == "0.000"


@pytest.mark.parametrize(
    "findings, match",
    [
        ({"q": "a"}, r"03_z\.json: findings must be a non-empty list"),
        ([], "findings must be a non-empty list"),
        (["just text"], r"findings\[0\] must be a dict"),
        ([{"question": "q?", "answer": "a"}], r"findings\[0\]: .*evidence"),
        ([{"question": "q?", "answer": "", "evidence": "e"}], r"findings\[0\]: answer must be"),
        (
            [{"question": "q?", "answer": "a", "evidence": "e", "interval": [2, 1]}],
            r"findings\[0\]: interval must be \(low, high\)",
        ),
        (
            [{"question": "q?", "answer": "a", "evidence": "e", "value": "high"}],
            r"findings\[0\]: value must be a number",
        ),
        (
            [{"question": "q?", "answer": "a", "evidence": "e", "intervall": [1, 2]}],
            r"findings\[0\]: .*intervall",
        ),
    ],
)
def test_results_markdown_rejects_malformed_findings(findings, match):
    with pytest.raises(ValueError, match=match):
        helpers.results_markdown({"03_z": {"findings": findings, "acc": 1}})


_TABLE = """| notebook | question it answers | wall time* |
| --- | --- | --- |
| [01 a](notebooks/01_a.ipynb) | What? | 52 s |
| [02 b](notebooks/02_b.ipynb) | Which \\| one? | 9 s |

\\* typed by hand
"""
_TIMES = {
    "date": "2026-11-23",
    "machine": {
        "cpu": "AMD EPYC",
        "cpus": 2,
        "memory_gib": 23.5,
        "platform": "Linux x86_64",
        "python": "3.11.7",
        "load_average_at_start": 0.4,
    },
    "notebooks": {"01_a": {"seconds": 47.6, "date": "2026-11-23"}},
}


def test_times_markdown_writes_measured_wall_times():
    md = helpers.times_markdown(_TABLE, _TIMES)
    lines = md.splitlines()
    assert lines[:2] == _TABLE.splitlines()[:2]
    assert lines[2] == "| [01 a](notebooks/01_a.ipynb) | What? | 48 s |"
    assert lines[3] == "| [02 b](notebooks/02_b.ipynb) | Which \\| one? | not measured |"
    assert "typed by hand" not in md
    assert lines[-1].startswith("\\* Wall time of each notebook") and "2026-11-23" in lines[-1]
    assert "2 CPUs (AMD EPYC), 23.5 GiB" in lines[-1] and "load average 0.4" in lines[-1]
    assert helpers.times_markdown(md, _TIMES) == md  # stable when regenerated
    missing = helpers.times_markdown(_TABLE, None)
    assert "| What? | not measured |" in missing and "Not measured yet" in missing


def test_render_readme_fills_both_blocks_and_load_times(tmp_path):
    text = (
        f"top\n{helpers.TIMES_START}\n{_TABLE}{helpers.TIMES_END}\nmiddle\n"
        f"{helpers.README_START}\nold\n{helpers.README_END}\nend\n"
    )
    out = helpers.render_readme(text, results={"01_a": {"acc": 1}}, times=_TIMES)
    assert "| What? | 48 s |" in out and "### [01_a](notebooks/01_a.ipynb)" in out
    assert out.startswith("top\n") and "\nmiddle\n" in out and out.endswith("end\n")
    assert helpers.render_readme(out, results={"01_a": {"acc": 1}}, times=_TIMES) == out
    path = tmp_path / "times.json"
    assert helpers.load_times(path) is None
    path.write_text(json.dumps(_TIMES))
    assert helpers.load_times(path) == _TIMES
