"""Unit tests for the data of notebook 04 (learned late fusion): make_two_modalities."""

import numpy as np
import pytest

import helpers


def make(n=200, **kwargs):
    kwargs.setdefault("seed", 0)
    return helpers.make_two_modalities(n, **kwargs)


def test_shapes_dtypes_and_ranges():
    x_img, x_tok, y, corrupted = make(150, image_size=12, seq_len=7, vocab_size=40)
    assert x_img.shape == (150, 12, 12) and x_img.dtype == np.float32
    assert x_tok.shape == (150, 7) and x_tok.dtype == np.int32
    assert y.shape == (150,) and y.dtype == np.int64
    assert corrupted.shape == (150,) and corrupted.dtype == np.float32
    assert 0.0 <= x_img.min() and x_img.max() <= 1.0
    assert 0 <= x_tok.min() and x_tok.max() < 40
    assert set(np.unique(y)) == set(range(10))
    assert np.all(corrupted == 0.0)


def test_classes_are_balanced():
    _, _, y, _ = make(1003)
    counts = np.bincount(y, minlength=10)
    assert counts.max() - counts.min() <= 1


def test_same_seed_same_data_and_different_seed_different_data():
    a, b = make(seed=3, corruption=0.5), make(seed=3, corruption=0.5)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    c = make(seed=4, corruption=0.5)
    assert not np.array_equal(a[0], c[0]) and not np.array_equal(a[1], c[1])


def test_text_carries_the_class_and_noise_removes_it():
    _, tok, y, _ = make(2000, text_noise=0.5, keywords_per_class=3)
    own = (tok // 3 == y[:, None]).mean()
    assert own > 0.5  # 0.5 keywords + 0.5 * 3/60 by chance
    _, tok, y, _ = make(2000, text_noise=1.0)
    own = (tok // 3 == y[:, None]).mean()
    assert abs(own - 3 / 60) < 0.01  # pure noise: own keywords only by chance


def test_image_noise_knob():
    clean, _, _, _ = make(100, image_noise=0.0)
    noisy, _, _, _ = make(100, image_noise=0.5)
    # Same glyphs (same seed): without noise the images are the glyphs alone, with noise they
    # differ from them by the (clipped) Gaussian noise.
    assert np.abs(noisy - clean).mean() > 0.1
    assert np.array_equal(clean, make(100, image_noise=0.0)[0])


def test_per_sample_corruption_overwrites_whole_samples():
    _, clean_tok, y0, _ = make(1000)
    x_img, tok, y, corrupted = make(1000, corruption=0.3, corruption_mode="per_sample")
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(x_img, make(1000)[0])  # corruption touches B only
    assert set(np.unique(corrupted)) == {0.0, 1.0}
    assert abs(corrupted.mean() - 0.3) < 0.05
    np.testing.assert_array_equal(tok[corrupted == 0], clean_tok[corrupted == 0])
    # Overwritten samples lose the class: own keywords only at chance rate (3 / 60).
    own = (tok[corrupted == 1] // 3 == y[corrupted == 1, None]).mean()
    assert abs(own - 0.05) < 0.02


def test_global_corruption_overwrites_the_same_fraction_of_every_sample():
    _, clean_tok, _, _ = make(300, seq_len=20)
    _, tok, _, corrupted = make(300, seq_len=20, corruption=0.25, corruption_mode="global")
    np.testing.assert_allclose(corrupted, 0.25)
    changed = (tok != clean_tok).mean(axis=1)
    assert changed.max() <= 0.25  # a replacement can equal the clean token by chance


def test_levels_are_nested_and_modes_agree_at_the_ends():
    _, _, _, c25 = make(500, corruption=0.25)
    _, tok50, _, c50 = make(500, corruption=0.5)
    assert np.all(c50[c25 == 1] == 1)
    for level in (0.0, 1.0):
        a = make(100, corruption=level, corruption_mode="per_sample")
        b = make(100, corruption=level, corruption_mode="global")
        np.testing.assert_array_equal(a[1], b[1])
        np.testing.assert_array_equal(a[3], b[3])


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"n": 0}, ValueError, "n"),
        ({"n": 2.5}, TypeError, "n"),
        ({"image_size": 4}, ValueError, "image_size"),
        ({"image_noise": 1.5}, ValueError, "image_noise"),
        ({"image_noise": "a"}, TypeError, "image_noise"),
        ({"seq_len": 0}, ValueError, "seq_len"),
        ({"keywords_per_class": 0}, ValueError, "keywords_per_class"),
        ({"vocab_size": 20}, ValueError, "vocab_size"),  # fewer than 10 * 3 keywords
        ({"text_noise": -0.1}, ValueError, "text_noise"),
        ({"corruption": 1.2}, ValueError, "corruption"),
        ({"corruption_mode": "sometimes"}, ValueError, "corruption_mode"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1.0}, TypeError, "seed"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, error, name):
    args = {"n": 10, **kwargs}
    n = args.pop("n")
    with pytest.raises(error, match=name):
        helpers.make_two_modalities(n, **args)
