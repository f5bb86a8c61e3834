"""Unit tests for the data of notebook 03 (conditional soft switching)."""

import math

import numpy as np
import pytest

import helpers


def test_shapes_dtypes_and_ranges():
    x, fine, family = helpers.make_family_images(60, seed=0)
    assert x.shape == (60, 32, 32, 3) and x.dtype == np.float32
    assert fine.shape == family.shape == (60,)
    assert fine.dtype == family.dtype == np.int64
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert set(fine.tolist()) == set(range(6))
    assert set(family.tolist()) == {0, 1}
    np.testing.assert_array_equal(family, fine // 3)


def test_size():
    x, fine, family = helpers.make_family_images(25, size=48, seed=1)
    assert x.shape == (25, 48, 48, 3)
    np.testing.assert_array_equal(family, fine // 3)


def test_classes_are_balanced():
    for n in (60, 61, 65):
        _, fine, _ = helpers.make_family_images(n, seed=2)
        counts = np.bincount(fine, minlength=6)
        assert counts.max() - counts.min() <= 1 and counts.sum() == n


def test_same_seed_same_data_different_seed_different_data():
    a = helpers.make_family_images(20, return_cue_agrees=True, seed=3)
    b = helpers.make_family_images(20, return_cue_agrees=True, seed=3)
    c = helpers.make_family_images(20, seed=4)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    # The mask does not change the images drawn.
    np.testing.assert_array_equal(helpers.make_family_images(20, seed=3)[0], a[0])


def _body_masks(x):
    """Noise-free images -> boolean body masks (pixels that are neither background nor tag)."""
    grey = x[..., 0]
    masks = []
    for img, rgb in zip(grey, x, strict=True):
        values, counts = np.unique(img, return_counts=True)
        background = values[counts.argmax()]  # the background is the largest uniform area
        tag = rgb.max(axis=-1) - rgb.min(axis=-1) > 0.5
        masks.append((np.abs(img - background) > 1e-6) & ~tag)
    return np.array(masks)


def test_family_cue_is_the_body_shape():
    # Farthest body pixel from the centroid over sqrt(area): 0.56 for a disc, 0.71 for a square.
    x, _, family = helpers.make_family_images(200, size=64, noise=0.0, seed=5)
    ratios = []
    for mask in _body_masks(x):
        rows, cols = np.nonzero(mask)
        dist = np.hypot(rows - rows.mean(), cols - cols.mean())
        ratios.append(dist.max() / np.sqrt(mask.sum()))
    ratios = np.array(ratios)
    assert ratios[family == 0].max() < ratios[family == 1].min()


def test_without_spread_each_family_reads_its_own_cue_exactly():
    x, fine, family = helpers.make_family_images(600, cue_sigma=0.0, noise=0.0, seed=6)
    cats, dogs = family == 0, family == 1
    stripes = helpers.family_hand_rule(x, family_threshold=2.0)  # always "cat": reads stripes
    assert np.mean(stripes[cats] == fine[cats]) > 0.99
    tags = helpers.family_tag_rule(x)
    assert np.all(tags[dogs] == fine[dogs])
    # The other family's cue is a distractor: about a third agree by chance.
    assert abs(np.mean(tags[cats] - 3 == fine[cats]) - 1 / 3) < 0.08
    assert abs(np.mean(stripes[dogs] == fine[dogs] - 3) - 1 / 3) < 0.08


def test_hue_colours():
    rgb = helpers._hue_to_rgb([0.0, 120.0, 240.0, 60.0])
    np.testing.assert_allclose(rgb, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], atol=1e-6)


def test_class_names():
    assert helpers.family_class_names() == [
        "cat/0°",
        "cat/60°",
        "cat/120°",
        "dog/red",
        "dog/green",
        "dog/blue",
    ]


def test_bayes_ceiling_formula():
    phi = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    assert helpers.family_fine_ceiling(cue_sigma=0.0) == 1.0
    assert helpers.family_fine_ceiling(cue_sigma=16.0) == pytest.approx(2 * phi(30 / 16) - 1)
    assert helpers.family_fine_ceiling(cue_sigma=16.0) == pytest.approx(0.9392, abs=1e-4)
    ceilings = [helpers.family_fine_ceiling(cue_sigma=s) for s in (5, 10, 20, 40, 90)]
    assert all(a > b for a, b in zip(ceilings, ceilings[1:], strict=False))
    assert ceilings[-1] > 1 / 3  # even a very wide spread stays above chance within a family


def test_cue_agrees_mask_matches_the_ceiling_and_the_cue_in_the_pixels():
    x, fine, family, agrees = helpers.make_family_images(
        3000, cue_sigma=18.0, noise=0.0, return_cue_agrees=True, seed=9
    )
    assert agrees.dtype == bool and agrees.shape == (3000,)
    ceiling = helpers.family_fine_ceiling(cue_sigma=18.0)
    assert abs(agrees.mean() - ceiling) < 0.02
    # Read from the pixels, told the family, the nearest-mean rule agrees with the mask.
    read = np.where(family == 0, helpers.family_hand_rule(x, family_threshold=2.0), 0)
    read = np.where(family == 1, helpers.family_tag_rule(x), read)
    assert np.mean((read == fine) == agrees) > 0.95
    assert np.mean(read == fine) < ceiling + 0.02  # nothing reads better than the Bayes rule


def test_floor_and_ceiling_at_the_notebook_setting():
    x, fine, family = helpers.make_family_images(1500, cue_sigma=16.0, seed=11)
    pred, scores = helpers.family_hand_rule(x, return_scores=True)
    assert pred.dtype == np.int64 and pred.shape == (1500,) and scores.shape == (1500,)
    floor = np.mean(pred == fine)
    ceiling = helpers.family_fine_ceiling(cue_sigma=16.0)
    assert 1 / 6 + 0.3 < floor < ceiling - 0.15  # room between floor and ceiling
    assert np.mean(pred // 3 == family) > 0.7
    tag_floor = np.mean(helpers.family_tag_rule(x) == fine)
    assert abs(tag_floor - ceiling / 2) < 0.05  # right only on dogs whose hue is nearest
    np.testing.assert_array_equal(helpers.family_hand_rule(x), pred)  # deterministic


def test_difficulty_knobs_change_the_cues():
    base = helpers.make_family_images(50, noise=0.0, seed=10)[0]
    faint = helpers.make_family_images(50, noise=0.0, stripe_contrast=0.1, seed=10)[0]
    assert np.abs(np.diff(faint, axis=1)).mean() < np.abs(np.diff(base, axis=1)).mean()
    small = helpers.make_family_images(50, noise=0.0, tag_size=3, seed=10)[0]
    saturated = (small.max(-1) - small.min(-1) > 0.5).sum(axis=(1, 2))
    assert np.all(saturated <= 9)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"n": 0}, ValueError, "n"),
        ({"n": 2.5}, TypeError, "n"),
        ({"n": 4, "size": 16}, ValueError, "size"),
        ({"n": 4, "size": 65}, ValueError, "size"),
        ({"n": 4, "cue_sigma": -1.0}, ValueError, "cue_sigma"),
        ({"n": 4, "cue_sigma": 91.0}, ValueError, "cue_sigma"),
        ({"n": 4, "cue_sigma": "wide"}, TypeError, "cue_sigma"),
        ({"n": 4, "noise": -0.1}, ValueError, "noise"),
        ({"n": 4, "noise": 0.6}, ValueError, "noise"),
        ({"n": 4, "stripe_contrast": 1.5}, ValueError, "stripe_contrast"),
        ({"n": 4, "tag_size": 0}, ValueError, "tag_size"),
        ({"n": 4, "tag_size": 2.0}, TypeError, "tag_size"),
        ({"n": 4, "return_cue_agrees": 1}, TypeError, "return_cue_agrees"),
        ({"n": 4, "seed": -1}, ValueError, "seed"),
        ({"n": 4, "seed": 1.5}, TypeError, "seed"),
    ],
)
def test_bad_arguments(kwargs, error, name):
    n = kwargs.pop("n")
    with pytest.raises(error, match=name):
        helpers.make_family_images(n, **kwargs)


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: helpers.family_fine_ceiling(cue_sigma=-1.0), ValueError, "cue_sigma"),
        (lambda: helpers.family_fine_ceiling(cue_sigma="x"), TypeError, "cue_sigma"),
        (lambda: helpers.family_tag_rule(np.zeros((2, 8, 8))), ValueError, "x must be"),
        (lambda: helpers.family_hand_rule(np.zeros((2, 32, 32))), ValueError, "x must be"),
        (
            lambda: helpers.family_hand_rule(np.zeros((2, 32, 32, 3)), family_threshold=-1.0),
            ValueError,
            "family_threshold",
        ),
        (
            lambda: helpers.family_hand_rule(np.zeros((2, 32, 32, 3)), return_scores=1),
            TypeError,
            "return_scores",
        ),
    ],
)
def test_bad_arguments_of_floor_and_ceiling(call, error, name):
    with pytest.raises(error, match=name):
        call()
