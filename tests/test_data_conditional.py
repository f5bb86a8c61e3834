"""Unit tests for the data of notebook 03 (conditional soft switching)."""

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


@pytest.mark.parametrize("k", [2, 3])
def test_fine_per_family_and_size(k):
    x, fine, family = helpers.make_family_images(25, size=48, fine_per_family=k, seed=1)
    assert x.shape == (25, 48, 48, 3)
    assert fine.max() < 2 * k
    np.testing.assert_array_equal(family, fine // k)
    assert len(helpers.family_class_names(fine_per_family=k)) == 2 * k


def test_classes_are_balanced():
    for n in (60, 61, 65):
        _, fine, _ = helpers.make_family_images(n, seed=2)
        counts = np.bincount(fine, minlength=6)
        assert counts.max() - counts.min() <= 1 and counts.sum() == n


def test_same_seed_same_data_different_seed_different_data():
    a = helpers.make_family_images(20, seed=3)
    b = helpers.make_family_images(20, seed=3)
    c = helpers.make_family_images(20, seed=4)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


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


def test_cats_fine_class_is_the_stripe_orientation():
    x, fine, family = helpers.make_family_images(300, noise=0.0, seed=7)
    grey = x.mean(axis=-1) * _body_masks(x)
    dy = np.abs(np.diff(grey, axis=1)).mean(axis=(1, 2))
    dx = np.abs(np.diff(grey, axis=2)).mean(axis=(1, 2))
    ratio = dy / dx  # horizontal stripes change along y
    cats = family == 0
    assert np.all(ratio[cats & (fine == 0)] > 1.5)  # horizontal
    assert np.all(ratio[cats & (fine == 1)] < 1 / 1.5)  # vertical
    diagonal = ratio[cats & (fine == 2)]
    assert np.all((diagonal > 1 / 1.5) & (diagonal < 1.5))
    # For dogs the stripes are a distractor: every orientation occurs in every fine class.
    for k in (3, 4, 5):
        r = ratio[fine == k]
        assert (r > 1.5).any() and (r < 1 / 1.5).any()


def test_each_family_uses_its_own_cue():
    # Dogs: the tag colour (saturated pixels) decides the fine class; cats: it is random.
    x, fine, family = helpers.make_family_images(600, noise=0.0, seed=6)
    saturation = x.max(axis=-1) - x.min(axis=-1)
    tag_pixels = saturation > 0.5
    dominant = np.array(
        [
            np.bincount(img[m].argmax(axis=-1), minlength=3).argmax()
            for img, m in zip(x, tag_pixels, strict=True)
        ]
    )
    dogs = family == 1
    assert np.mean(dominant[dogs] == fine[dogs] - 3) > 0.99
    cats = ~dogs
    assert np.mean(dominant[cats] == fine[cats]) < 0.6  # the cats' tag is a distractor


def test_class_names():
    assert helpers.family_class_names() == [
        "cat/horizontal",
        "cat/vertical",
        "cat/diagonal",
        "dog/red",
        "dog/green",
        "dog/blue",
    ]
    with pytest.raises(ValueError, match="fine_per_family"):
        helpers.family_class_names(fine_per_family=4)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"n": 0}, ValueError, "n"),
        ({"n": 2.5}, TypeError, "n"),
        ({"n": 4, "size": 16}, ValueError, "size"),
        ({"n": 4, "size": 65}, ValueError, "size"),
        ({"n": 4, "fine_per_family": 1}, ValueError, "fine_per_family"),
        ({"n": 4, "fine_per_family": 4}, ValueError, "fine_per_family"),
        ({"n": 4, "noise": -0.1}, ValueError, "noise"),
        ({"n": 4, "noise": 0.6}, ValueError, "noise"),
        ({"n": 4, "noise": "high"}, TypeError, "noise"),
        ({"n": 4, "seed": -1}, ValueError, "seed"),
        ({"n": 4, "seed": 1.5}, TypeError, "seed"),
    ],
)
def test_bad_arguments(kwargs, error, name):
    n = kwargs.pop("n")
    with pytest.raises(error, match=name):
        helpers.make_family_images(n, **kwargs)


def test_label_noise_redraws_the_cue_at_the_stated_rate():
    # Dogs: the tag colour is the cue, so it agrees with the label at the ceiling's rate.
    x, fine, family = helpers.make_family_images(3000, noise=0.0, label_noise=0.3, seed=8)
    dogs = family == 1
    agree = np.mean(helpers.family_tag_rule(x[dogs]) == fine[dogs])
    ceiling = helpers.family_fine_ceiling(label_noise=0.3)
    assert ceiling == pytest.approx(0.8)
    assert abs(agree - ceiling) < 0.03
    # Without label noise the cue always agrees.
    x, fine, family = helpers.make_family_images(600, noise=0.0, seed=8)
    dogs = family == 1
    assert np.all(helpers.family_tag_rule(x[dogs]) == fine[dogs])


def test_floor_and_ceiling():
    for label_noise, k in ((0.0, 3), (0.15, 3), (0.15, 2), (1.0, 3)):
        ceiling = helpers.family_fine_ceiling(label_noise=label_noise, fine_per_family=k)
        assert ceiling == pytest.approx(1 - label_noise * (k - 1) / k)
    # The notebook's setting: floor (tag rule, family-blind) far below the ceiling.
    x, fine, _ = helpers.make_family_images(2000, label_noise=0.15, seed=9)
    floor = np.mean(helpers.family_tag_rule(x) == fine)
    ceiling = helpers.family_fine_ceiling(label_noise=0.15)
    assert 1 / 6 < floor < ceiling - 0.3
    assert abs(floor - ceiling / 2) < 0.04  # right only on the dogs whose cue survived
    pred = helpers.family_tag_rule(x)
    assert pred.dtype == np.int64 and set(pred.tolist()) <= {3, 4, 5}


def test_label_noise_keeps_balance_and_seeding():
    a = helpers.make_family_images(61, label_noise=0.5, seed=10)
    b = helpers.make_family_images(61, label_noise=0.5, seed=10)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    counts = np.bincount(a[1], minlength=6)
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: helpers.make_family_images(4, label_noise=-0.1), ValueError, "label_noise"),
        (lambda: helpers.make_family_images(4, label_noise=1.5), ValueError, "label_noise"),
        (lambda: helpers.make_family_images(4, label_noise="x"), TypeError, "label_noise"),
        (lambda: helpers.family_fine_ceiling(label_noise=2.0), ValueError, "label_noise"),
        (
            lambda: helpers.family_fine_ceiling(label_noise=0.1, fine_per_family=4),
            ValueError,
            "fine_per_family",
        ),
        (lambda: helpers.family_tag_rule(np.zeros((2, 8, 8))), ValueError, "x must be"),
        (
            lambda: helpers.family_tag_rule(np.zeros((2, 8, 8, 3)), fine_per_family=1),
            ValueError,
            "fine_per_family",
        ),
    ],
)
def test_bad_arguments_of_floor_and_ceiling(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_cue_agrees_mask_gives_the_ceiling():
    x, fine, family, agrees = helpers.make_family_images(
        3000, noise=0.0, label_noise=0.3, return_cue_agrees=True, seed=9
    )
    assert agrees.dtype == bool and agrees.shape == (3000,)
    ceiling = helpers.family_fine_ceiling(label_noise=0.3)
    assert abs(agrees.mean() - ceiling) < 0.03
    # On dogs the tag colour is the cue: the tag rule is right exactly where the cue agrees.
    dogs = family == 1
    np.testing.assert_array_equal(helpers.family_tag_rule(x[dogs]) == fine[dogs], agrees[dogs])
    # The same seed draws the same images with or without the mask.
    np.testing.assert_array_equal(helpers.make_family_images(3000, noise=0.0, label_noise=0.3,
                                                             seed=9)[0], x)  # fmt: skip


def test_difficulty_knobs_change_the_cues():
    base = helpers.make_family_images(50, noise=0.0, seed=10)[0]
    faint = helpers.make_family_images(50, noise=0.0, stripe_contrast=0.1, seed=10)[0]
    assert np.abs(np.diff(faint, axis=1)).mean() < np.abs(np.diff(base, axis=1)).mean()
    small = helpers.make_family_images(50, noise=0.0, tag_size=3, seed=10)[0]
    saturated = lambda im: (im.max(-1) - im.min(-1) > 0.5).sum(axis=(1, 2))  # noqa: E731
    assert np.all(saturated(small) <= 9) and np.all(saturated(base) >= 30)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"stripe_contrast": 1.5}, ValueError, "stripe_contrast"),
        ({"tag_size": 0}, ValueError, "tag_size"),
        ({"tag_size": 2.0}, TypeError, "tag_size"),
        ({"tag_strength": -0.1}, ValueError, "tag_strength"),
        ({"return_cue_agrees": 1}, TypeError, "return_cue_agrees"),
    ],
)
def test_bad_difficulty_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        helpers.make_family_images(4, **kwargs)


def test_hand_rule_floor():
    # The floor: between chance and the ceiling, and reads the family mostly right.
    x, fine, family = helpers.make_family_images(600, label_noise=0.15, seed=11)
    pred, scores = helpers.family_hand_rule(x, return_scores=True)
    assert pred.dtype == np.int64 and pred.shape == (600,) and scores.shape == (600,)
    accuracy = np.mean(pred == fine)
    assert 1 / 6 + 0.2 < accuracy < helpers.family_fine_ceiling(label_noise=0.15) - 0.1
    assert np.mean(pred // 3 == family) > 0.7
    # Told nothing about labels, it is deterministic.
    np.testing.assert_array_equal(helpers.family_hand_rule(x), pred)


def test_hand_rule_bad_arguments():
    with pytest.raises(ValueError, match="x must be"):
        helpers.family_hand_rule(np.zeros((2, 32, 32)))
    with pytest.raises(ValueError, match="family_threshold"):
        helpers.family_hand_rule(np.zeros((2, 32, 32, 3)), family_threshold=-1.0)
    with pytest.raises(ValueError, match="fine_per_family"):
        helpers.family_hand_rule(np.zeros((2, 32, 32, 3)), fine_per_family=5)
