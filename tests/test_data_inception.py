"""Unit tests for the data helpers of notebook 05 (Inception blocks)."""

import numpy as np
import pytest

import helpers


def test_multiscale_shapes_dtypes_ranges():
    x, y = helpers.make_multiscale_textures(30, size=20, channels=3, seed=0)
    assert x.shape == (30, 20, 20, 3) and x.dtype == np.float32
    assert y.shape == (30,) and y.dtype == np.int64
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert set(np.unique(y)) <= set(range(6))
    assert len(helpers.MULTISCALE_CLASS_NAMES) == 6


def test_multiscale_channels_option():
    x, _ = helpers.make_multiscale_textures(4, size=12, channels=1, seed=0)
    assert x.shape == (4, 12, 12, 1)


def test_multiscale_balanced():
    _, y = helpers.make_multiscale_textures(601, size=12, seed=3)
    counts = np.bincount(y, minlength=6)
    assert counts.max() - counts.min() <= 1


def test_multiscale_seed_reproducible_and_different():
    x1, y1 = helpers.make_multiscale_textures(12, size=16, seed=5)
    x2, y2 = helpers.make_multiscale_textures(12, size=16, seed=5)
    x3, y3 = helpers.make_multiscale_textures(12, size=16, seed=6)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


def _stripe_energy(x, axis):
    """Mean |difference| between neighbouring pixels along ``axis`` (1 = rows, 2 = columns)."""
    grey = x.mean(axis=-1)
    return np.abs(np.diff(grey, axis=axis)).mean(axis=(1, 2))


def test_multiscale_texture_is_fine_scale_and_orientation_follows_label():
    # Noise-free: horizontal stripes alternate between rows and are constant along a row.
    x, y = helpers.make_multiscale_textures(120, size=32, noise=0.0, seed=1)
    texture = y // 3
    row_step, col_step = _stripe_energy(x, 1), _stripe_energy(x, 2)
    horizontal = row_step > col_step
    assert np.mean(horizontal == (texture == 0)) > 0.95
    # A 2x2 average erases the stripes: pooled images no longer show the orientation.
    pooled = x.reshape(120, 16, 2, 16, 2, 3).mean(axis=(2, 4))
    p_row, p_col = _stripe_energy(pooled, 1), _stripe_energy(pooled, 2)
    assert abs(np.mean((p_row > p_col) == (texture == 0)) - 0.5) < 0.2


def test_multiscale_layout_regions_have_comparable_area():
    # Noise-free, horizontal texture: a striped pixel differs strongly from the pixel below and
    # hardly from the pixel to its right. Speckle does so by chance 1 time in 4, so the
    # fraction p of such pixels estimates the striped area f as p = f + (1 - f) / 4. The
    # docstring promises f of roughly 0.3-0.6 in every layout.
    x, y = helpers.make_multiscale_textures(300, size=32, noise=0.0, seed=2)
    grey = x.mean(axis=-1)
    down = np.abs(np.diff(grey, axis=1))[:, :, :-1]
    right = np.abs(np.diff(grey, axis=2))[:, :-1, :]
    p = np.mean((down > 0.1) & (right < 0.05), axis=(1, 2))
    area = (p - 0.25) / 0.75
    keep = y // 3 == 0
    for layout in range(3):
        mean_area = area[keep & (y % 3 == layout)].mean()
        assert 0.25 < mean_area < 0.65, (layout, mean_area)


@pytest.mark.parametrize(
    ("kwargs", "match", "error"),
    [
        ({"n": 0}, "n", ValueError),
        ({"n": 2.5}, "n", TypeError),
        ({"size": 7}, "size", ValueError),
        ({"size": 300}, "size", ValueError),
        ({"channels": 0}, "channels", ValueError),
        ({"channels": 5}, "channels", ValueError),
        ({"noise": -0.1}, "noise", ValueError),
        ({"noise": 4.0}, "noise", ValueError),
        ({"noise": "a"}, "noise", TypeError),
        ({"seed": -1}, "seed", ValueError),
        ({"seed": 1.5}, "seed", TypeError),
    ],
)
def test_multiscale_bad_input(kwargs, match, error):
    args = {"n": 4, **kwargs}
    n = args.pop("n")
    with pytest.raises(error, match=match):
        helpers.make_multiscale_textures(n, **args)


def test_to_display_uint8_methods():
    img = np.linspace(1.0, 99.0, 4 * 5 * 3, dtype=np.float32).reshape(4, 5, 3)
    mm = helpers.to_display_uint8(img, method="minmax")
    assert mm.dtype == np.uint8 and mm.shape == img.shape
    assert mm.min() == 0 and mm.max() == 255
    ms = helpers.to_display_uint8(img, method="meanstd")
    z = (img - img.mean()) / img.std()
    assert ms.dtype == np.uint8
    assert np.abs(ms.astype(int) - np.round((z + 2.5) / 5 * 255)).max() <= 1
    spike = np.zeros((10, 10, 3))
    spike[0, 0, 0] = 1000.0  # far beyond 2.5 std: clipped to white
    assert helpers.to_display_uint8(spike, method="meanstd").max() == 255
    raw = helpers.to_display_uint8(img, method="raw")
    assert raw.min() == 1 and raw.max() == 99


def test_to_display_uint8_constant_image_is_grey():
    flat = np.full((3, 3, 3), 7.0)
    assert np.all(helpers.to_display_uint8(flat, method="minmax") == 128)
    assert np.all(helpers.to_display_uint8(flat, method="meanstd") == 128)


@pytest.mark.parametrize(
    ("image", "kwargs", "match"),
    [
        (np.zeros((4, 4)), {}, "image"),
        (np.zeros((4, 4, 2)), {}, "image"),
        (np.zeros((0, 4, 3)), {}, "image"),
        (np.full((2, 2, 3), np.nan), {}, "image"),
        (np.zeros((2, 2, 3)), {"method": "maxmin"}, "method"),
    ],
)
def test_to_display_uint8_bad_input(image, kwargs, match):
    with pytest.raises(ValueError, match=match):
        helpers.to_display_uint8(image, **kwargs)


def test_multiscale_return_mask():
    x, y, mask = helpers.make_multiscale_textures(24, size=16, seed=4, return_mask=True)
    x2, y2 = helpers.make_multiscale_textures(24, size=16, seed=4)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)  # the mask changes nothing else
    assert mask.shape == (24, 16, 16) and mask.dtype == bool
    area = mask.mean(axis=(1, 2))
    assert 0.2 < area.min() and area.max() < 0.7
    with pytest.raises(TypeError, match="return_mask"):
        helpers.make_multiscale_textures(4, return_mask=1)


def test_multiscale_stripe_map_sign_follows_texture():
    x, y = helpers.make_multiscale_textures(60, size=16, noise=0.0, seed=8)
    s = helpers.multiscale_stripe_map(x)
    assert s.shape == (60, 15, 15) and s.dtype == np.float64
    assert np.all((s.mean(axis=(1, 2)) > 0) == (y // 3 == 0))  # positive: horizontal
    with pytest.raises(ValueError, match="x must have shape"):
        helpers.multiscale_stripe_map(np.zeros((3, 16, 16)))


def test_multiscale_floor_and_ceiling():
    # The documented floor and ceiling: the notebook's setting leaves room between them; the
    # old setting (24x24, noise 0.5) is too easy for a comparison.
    for size, noise, n_train, low, high in [
        (16, 1.25, 1200, 0.42, 0.65),
        (24, 0.5, 800, 0.93, 1.0),
    ]:
        x_tr, y_tr = helpers.make_multiscale_textures(n_train, size=size, noise=noise, seed=11)
        x, y, mask = helpers.make_multiscale_textures(
            600, size=size, noise=noise, seed=12, return_mask=True
        )
        pred = helpers.multiscale_floor_rule(x_tr, y_tr, x)
        assert pred.dtype == np.int64 and pred.shape == (600,)
        assert low < np.mean(pred == y) < high
        assert np.mean(pred // 3 == y // 3) > 0.97  # the texture alone is easy for the rule
        oracle = helpers.multiscale_oracle(x, mask)
        assert np.mean(oracle == y) >= 0.99


def test_multiscale_floor_and_oracle_bad_input():
    x, y, mask = helpers.make_multiscale_textures(12, size=16, seed=3, return_mask=True)
    with pytest.raises(ValueError, match="y_train"):
        helpers.multiscale_floor_rule(x, y[:5], x)
    with pytest.raises(ValueError, match="layouts"):
        helpers.multiscale_floor_rule(x[y % 3 == 0], y[y % 3 == 0], x)
    small, _ = helpers.make_multiscale_textures(4, size=12, seed=3)
    with pytest.raises(ValueError, match="same image size"):
        helpers.multiscale_floor_rule(x, y, small)
    with pytest.raises(ValueError, match="mask"):
        helpers.multiscale_oracle(x, mask[:, :8])


def test_multiscale_floor_holds_at_every_training_seed():
    # Notebook 05 draws train/test per seed (s, s + 2000): the floor stays mid-range at each.
    for seed in (0, 3, 41, 1234):
        x_tr, y_tr = helpers.make_multiscale_textures(1200, size=16, noise=1.25, seed=seed)
        x, y, mask = helpers.make_multiscale_textures(
            600, size=16, noise=1.25, seed=seed + 2000, return_mask=True
        )
        assert 0.42 < np.mean(helpers.multiscale_floor_rule(x_tr, y_tr, x) == y) < 0.65
        assert np.mean(helpers.multiscale_oracle(x, mask) == y) >= 0.99


def test_multiscale_neighbour_floor_and_bayes_ceiling():
    # Notebook 05's setting and seeds layout (train s, test s + 2000): the stronger floor sits
    # near 0.8, the near-Bayes ceiling near 1.0, leaving room for the nets in between.
    for seed in (0, 41, 1234):
        x_tr, y_tr = helpers.make_multiscale_textures(1200, size=16, noise=1.25, seed=seed)
        x, y = helpers.make_multiscale_textures(800, size=16, noise=1.25, seed=seed + 2000)
        floor = helpers.multiscale_neighbour_rule(x_tr, y_tr, x)
        assert floor.dtype == np.int64 and floor.shape == (800,)
        assert 0.72 < np.mean(floor == y) < 0.87
        assert np.mean(floor == y) > np.mean(helpers.multiscale_floor_rule(x_tr, y_tr, x) == y)
        ceiling = helpers.multiscale_bayes_rule(x, noise=1.25, seed=seed)
        assert ceiling.dtype == np.int64 and ceiling.shape == (800,)
        assert np.mean(ceiling == y) > 0.99
        assert np.mean(ceiling == y) > np.mean(floor == y) + 0.1


def test_multiscale_bayes_rule_degrades_with_noise_and_is_deterministic():
    x, y = helpers.make_multiscale_textures(400, size=16, noise=2.5, seed=5)
    p1 = helpers.multiscale_bayes_rule(x, noise=2.5, n_masks=100, seed=1)
    assert np.array_equal(p1, helpers.multiscale_bayes_rule(x, noise=2.5, n_masks=100, seed=1))
    assert 1 / 6 < np.mean(p1 == y) < 0.95  # noisier data: the ceiling drops below 1


@pytest.mark.parametrize(
    ("kwargs", "match", "error"),
    [
        ({"noise": 0.0}, "noise", ValueError),
        ({"noise": "a"}, "noise", TypeError),
        ({"noise": 1.0, "n_masks": 0}, "n_masks", ValueError),
        ({"noise": 1.0, "n_masks": 2.5}, "n_masks", TypeError),
        ({"noise": 1.0, "seed": -1}, "seed", ValueError),
    ],
)
def test_multiscale_bayes_rule_bad_input(kwargs, match, error):
    x, _ = helpers.make_multiscale_textures(4, size=8, seed=0)
    with pytest.raises(error, match=match):
        helpers.multiscale_bayes_rule(x, **kwargs)


def test_multiscale_bayes_and_neighbour_rule_bad_shapes():
    x, y = helpers.make_multiscale_textures(30, size=12, seed=2)
    with pytest.raises(ValueError, match="x must have shape"):
        helpers.multiscale_bayes_rule(x[..., 0], noise=1.0)
    with pytest.raises(ValueError, match="square"):
        helpers.multiscale_bayes_rule(x[:, :, :8], noise=1.0)
    with pytest.raises(ValueError, match="blur"):
        helpers.multiscale_neighbour_rule(x, y, x, blur=2)
    with pytest.raises(ValueError, match="blur"):
        helpers.multiscale_neighbour_rule(x, y, x, blur=9)
    with pytest.raises(ValueError, match="y_train"):
        helpers.multiscale_neighbour_rule(x, y[:3], x)
    with pytest.raises(ValueError, match="layouts"):
        helpers.multiscale_neighbour_rule(x[y % 3 == 0], y[y % 3 == 0], x)
    small, _ = helpers.make_multiscale_textures(4, size=8, seed=3)
    with pytest.raises(ValueError, match="same image size"):
        helpers.multiscale_neighbour_rule(x, y, small)
    with pytest.raises(ValueError, match="x_train must have shape"):
        helpers.multiscale_neighbour_rule(x[..., 0], y, x)
