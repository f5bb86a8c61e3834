"""Unit tests for the data of notebook 01: digits, digit sequences, headlines, author pairs."""

import numpy as np
import pytest

import helpers

# ---- make_digits --------------------------------------------------------------------------


def test_digits_shapes_dtypes_ranges_balance():
    x, y = helpers.make_digits(203, size=20, seed=1)
    assert x.shape == (203, 20, 20) and x.dtype == np.float32
    assert y.shape == (203,) and y.dtype == np.int64
    assert 0.0 <= x.min() and x.max() <= 1.0
    counts = np.bincount(y, minlength=10)
    assert counts.max() - counts.min() <= 1


def test_digits_seeded():
    a, ya = helpers.make_digits(20, seed=5)
    b, yb = helpers.make_digits(20, seed=5)
    c, yc = helpers.make_digits(20, seed=6)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a, c)


def test_digits_carry_class_signal():
    """Noise-free class means differ more between classes than within (learnable data)."""
    x, y = helpers.make_digits(400, noise=0.0, max_shift=0.0, scale_range=(1.0, 1.0), seed=0)
    means = np.stack([x[y == k].mean(0) for k in range(10)])
    within = np.abs(x[y == 1][0] - means[1]).mean()
    between = np.abs(means[1] - means[8]).mean()
    assert within < 1e-6 < between


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"n": 0}, ValueError, "n must be >= 1"),
        ({"n": 2.5}, TypeError, "n must be an int"),
        ({"size": 4}, ValueError, "size must be in"),
        ({"noise": -0.1}, ValueError, "noise must be in"),
        ({"noise": "x"}, TypeError, "noise must be a number"),
        ({"max_shift": 0.9}, ValueError, "max_shift must be in"),
        ({"scale_range": (1.2, 0.8)}, ValueError, "scale_range must be"),
        ({"scale_range": 1.0}, ValueError, "scale_range must be"),
        ({"seed": -3}, ValueError, "seed must be >= 0"),
    ],
)
def test_digits_reject_bad_input(kwargs, err, match):
    args = {"n": 10, **kwargs}
    n = args.pop("n")
    with pytest.raises(err, match=match):
        helpers.make_digits(n, **args)


# ---- make_digit_sequences -----------------------------------------------------------------


def test_sequences_label_is_unique_mode():
    x, y, digits = helpers.make_digit_sequences(
        50, steps=6, repeats=2, size=16, return_digits=True, seed=2
    )
    assert x.shape == (50, 6, 16, 16) and x.dtype == np.float32 and y.dtype == np.int64
    assert digits.shape == (50, 6) and digits.dtype == np.int64
    assert 0.0 <= x.min() and x.max() <= 1.0
    counts = np.bincount(y, minlength=10)
    assert counts.max() - counts.min() <= 1
    for row, label in zip(digits, y, strict=True):
        freq = np.bincount(row, minlength=10)
        assert freq[label] == 2 and np.sum(freq == freq.max()) == 1


def test_sequences_frames_show_their_digits():
    x, _, digits = helpers.make_digit_sequences(
        30, steps=4, repeats=2, size=20, noise=0.0, return_digits=True, seed=4
    )
    ref, ry = helpers.make_digits(2000, size=20, noise=0.0, seed=0)
    frames, ref = x.reshape(-1, 400), ref.reshape(-1, 400)
    nearest = ry[np.argmin(((frames[:, None] - ref[None]) ** 2).sum(-1), axis=1)]
    assert np.mean(nearest == digits.ravel()) > 0.5  # chance: 0.1


def test_sequences_seeded():
    a = helpers.make_digit_sequences(5, seed=1)
    b = helpers.make_digit_sequences(5, seed=1)
    c = helpers.make_digit_sequences(5, seed=2)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"steps": 1}, "steps must be in"),
        ({"repeats": 1}, "repeats must be in"),
        ({"steps": 4, "repeats": 5}, "repeats must be in"),
        ({"steps": 20, "repeats": 3}, "steps - repeats must be <= 9"),
        ({"size": 200}, "size must be in"),
        ({"noise": 2.0}, "noise must be in"),
        ({"n": 0}, "n must be >= 1"),
    ],
)
def test_sequences_reject_bad_input(kwargs, match):
    args = {"n": 4, **kwargs}
    n = args.pop("n")
    with pytest.raises(ValueError, match=match):
        helpers.make_digit_sequences(n, **args)


# ---- make_headlines -----------------------------------------------------------------------


def test_headlines_shapes_ranges_balance():
    tokens, features, y = helpers.make_headlines(300, seq_len=12, vocab_size=500, seed=0)
    assert tokens.shape == (300, 12) and tokens.dtype == np.int32
    assert 1 <= tokens.min() and tokens.max() < 500
    assert features.shape == (300, 5) and features.dtype == np.float32
    assert y.shape == (300,) and y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
    assert y.sum() == 150


def test_headlines_both_inputs_carry_signal():
    tokens, features, y = helpers.make_headlines(4000, seed=1)
    hot = np.isin(tokens, helpers.HOT_TOKENS).sum(1)
    cold = np.isin(tokens, helpers.COLD_TOKENS).sum(1)
    text_acc = ((hot > cold) == y)[hot != cold].mean()
    feat_acc = ((features @ np.array([1, -1, 0.5, 0, 0]) > 0) == y).mean()
    assert text_acc > 0.65 and feat_acc > 0.65


def test_headlines_seeded():
    a = helpers.make_headlines(10, seed=3)
    b = helpers.make_headlines(10, seed=3)
    c = helpers.make_headlines(10, seed=4)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 1}, "n must be >= 2"),
        ({"seq_len": 2}, "seq_len must be in"),
        ({"vocab_size": 50}, "vocab_size must be in"),
        ({"signal_tokens": 0}, "signal_tokens must be in"),
        ({"seq_len": 8, "signal_tokens": 5}, "signal_tokens must be in"),
        ({"noise": -1.0}, "noise must be in"),
    ],
)
def test_headlines_reject_bad_input(kwargs, match):
    args = {"n": 10, **kwargs}
    n = args.pop("n")
    with pytest.raises(ValueError, match=match):
        helpers.make_headlines(n, **args)


# ---- make_author_pairs --------------------------------------------------------------------


def test_author_pairs_shapes_onehot_balance():
    a, b, y = helpers.make_author_pairs(101, length=30, seed=0)
    assert a.shape == b.shape == (101, 30, len(helpers.ALPHABET)) and a.dtype == np.float32
    np.testing.assert_array_equal(a.sum(-1), 1.0)
    assert y.dtype == np.int64 and abs(int(y.sum()) - 50) <= 1


def test_author_pairs_same_author_texts_are_closer():
    a, b, y = helpers.make_author_pairs(2000, length=200, seed=1)
    dist = np.abs(a.mean(1) - b.mean(1)).sum(1)
    assert dist[y == 1].mean() < 0.8 * dist[y == 0].mean()


def test_author_pairs_seeded():
    a = helpers.make_author_pairs(6, seed=2)
    b = helpers.make_author_pairs(6, seed=2)
    c = helpers.make_author_pairs(6, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 1}, "n must be >= 2"),
        ({"length": 1}, "length must be in"),
        ({"n_authors": 1}, "n_authors must be in"),
        ({"habit_strength": 0.5}, "habit_strength must be in"),
    ],
)
def test_author_pairs_reject_bad_input(kwargs, match):
    args = {"n": 10, **kwargs}
    n = args.pop("n")
    with pytest.raises(ValueError, match=match):
        helpers.make_author_pairs(n, **args)


# ---- digit rendering, floor and ceiling ---------------------------------------------------


def test_digits_are_recognisable_at_28px():
    """Noise-free, unshifted glyphs: every pair of digits differs clearly (no 9 that reads 8)."""
    x, y = helpers.make_digits(10, noise=0.0, max_shift=0.0, scale_range=(0.75, 0.75), seed=0)
    glyphs = x[np.argsort(y)].reshape(10, -1)
    dist = np.sqrt(((glyphs[:, None] - glyphs[None]) ** 2).sum(-1))
    norms = np.sqrt((glyphs**2).sum(-1))
    off = dist[~np.eye(10, dtype=bool)].reshape(10, 9)
    assert (off.min(1) > 0.3 * norms).all()  # nearest other digit is far, relative to the glyph


def test_digits_render_smoothly():
    """Area averaging gives grey edge pixels, not only black and white."""
    x, _ = helpers.make_digits(50, noise=0.0, seed=0)
    grey = np.mean((x > 0.05) & (x < 0.95)) / np.mean(x > 0.05)
    assert grey > 0.2


def test_digits_oracle_is_the_ceiling_and_above_the_floor():
    n = 1500
    x, y = helpers.make_digits(n, seed=7)
    oracle = helpers.digits_oracle(n, rows=slice(1000, None), seed=7)
    assert oracle.shape == (500,) and oracle.dtype == np.int64
    ceiling = np.mean(oracle == y[1000:])
    flat = x.reshape(n, -1)
    centroids = np.stack([flat[:1000][y[:1000] == k].mean(0) for k in range(10)])
    nearest = ((flat[1000:, None] - centroids[None]) ** 2).sum(-1).argmin(1)
    floor = np.mean(nearest == y[1000:])
    assert 0.2 < floor < 0.8 and ceiling > 0.98  # room between floor and ceiling


def test_digits_oracle_replays_the_generator():
    """Without noise the oracle is exact; with another seed it no longer matches."""
    _, y = helpers.make_digits(60, noise=0.0, seed=3)
    assert np.array_equal(helpers.digits_oracle(60, noise=0.0, seed=3), y)
    assert helpers.digits_oracle(60, rows=[0, 5], noise=0.0, seed=3).tolist() == y[[0, 5]].tolist()


# ---- headline ceilings --------------------------------------------------------------------


def test_headlines_bayes_ceilings():
    tokens, features, y = helpers.make_headlines(3000, noise=0.2, seed=5)
    acc = {
        use: np.mean((helpers.headlines_bayes(tokens, features, use=use, noise=0.2) > 0.5) == y)
        for use in ("both", "headline", "features")
    }
    assert acc["both"] > 0.9 and 0.65 < acc["headline"] < 0.8 and 0.65 < acc["features"] < 0.8
    assert acc["both"] > max(acc["headline"], acc["features"]) + 0.1
    p = helpers.headlines_bayes(tokens, features, noise=0.2)
    assert p.shape == (3000,) and p.min() >= 0.0 and p.max() <= 1.0


def test_headlines_noise_sets_the_ceiling():
    tokens, features, y = helpers.make_headlines(3000, noise=0.5, seed=5)
    acc = np.mean((helpers.headlines_bayes(tokens, features, noise=0.5) > 0.5) == y)
    assert 0.84 < acc < 0.92  # the noisier task leaves less room


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"use": "text"}, ValueError, "use must be"),
        ({"signal_tokens": 0}, ValueError, "signal_tokens must be"),
        ({"noise": -1.0}, ValueError, "noise must be in"),
        ({"features": np.zeros((3, 5))}, ValueError, "tokens must be"),
    ],
)
def test_headlines_bayes_rejects_bad_input(kwargs, err, match):
    tokens, features, _ = helpers.make_headlines(10, seed=0)
    args = {"tokens": tokens, "features": features, **kwargs}
    with pytest.raises(err, match=match):
        helpers.headlines_bayes(args.pop("tokens"), args.pop("features"), **args)


# ---- author pairs: floor and ceiling ------------------------------------------------------


def _count_cosine_floor(a, b, y, n_train):
    freq = a[:n_train].sum((0, 1)) + b[:n_train].sum((0, 1))
    freq = freq / freq.sum()
    ca, cb = a.sum(1) - a.shape[1] * freq, b.sum(1) - a.shape[1] * freq
    cos = (ca * cb).sum(1) / (np.linalg.norm(ca, axis=1) * np.linalg.norm(cb, axis=1) + 1e-9)
    cands = np.quantile(cos[:n_train], np.linspace(0.02, 0.98, 97))
    thr = cands[np.argmax([np.mean((cos[:n_train] > c) == y[:n_train]) for c in cands])]
    return np.mean((cos[n_train:] > thr) == y[n_train:])


def test_author_pairs_floor_and_ceiling():
    a, b, y = helpers.make_author_pairs(4000, length=24, seed=9)
    p = helpers.author_pairs_bayes(a, b, seed=9)
    assert p.shape == (4000,) and 0.0 <= p.min() and p.max() <= 1.0
    ceiling = np.mean((p[3000:] > 0.5) == y[3000:])
    floor = _count_cosine_floor(a, b, y, 3000)
    assert 0.7 < floor < 0.84 and 0.87 < ceiling < 0.95 and ceiling > floor + 0.08


def test_author_pairs_bayes_needs_the_right_authors():
    a, b, y = helpers.make_author_pairs(2000, length=24, seed=9)
    right = np.mean((helpers.author_pairs_bayes(a, b, seed=9) > 0.5) == y)
    wrong = np.mean((helpers.author_pairs_bayes(a, b, seed=10) > 0.5) == y)
    assert right > wrong + 0.1  # the oracle is handed the hidden authors of this seed


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"b": np.zeros((5, 24, 27), dtype=np.float32)}, "a and b must be one-hot"),
        ({"n_authors": 1}, "n_authors must be in"),
        ({"habit_strength": 0.5}, "habit_strength must be in"),
    ],
)
def test_author_pairs_bayes_rejects_bad_input(kwargs, match):
    a, b, _ = helpers.make_author_pairs(4, length=24, seed=0)
    args = {"a": a, "b": b, **kwargs}
    with pytest.raises(ValueError, match=match):
        helpers.author_pairs_bayes(args.pop("a"), args.pop("b"), **args)
