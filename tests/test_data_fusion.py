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


def test_misleading_corruption_reads_like_another_class():
    _, clean_tok, y, _ = make(2000)
    x_img, tok, y2, corrupted = make(2000, corruption=0.4, corruption_mode="misleading")
    np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(x_img, make(2000)[0])  # corruption touches B only
    assert set(np.unique(corrupted)) == {0.0, 1.0}
    assert abs(corrupted.mean() - 0.4) < 0.05
    hit = corrupted == 1
    np.testing.assert_array_equal(tok[~hit], clean_tok[~hit])
    # Same samples as the random per-sample mode (nested, comparable sample by sample).
    np.testing.assert_array_equal(corrupted, make(2000, corruption=0.4)[3])
    # Hit samples: own keywords only by chance, and one wrong class's keywords as often as
    # a clean sample has its own.
    kw_class = tok // 3
    own = (kw_class[hit] == y[hit, None]).mean()
    assert abs(own - 0.05) < 0.02
    counts = np.stack([(kw_class[hit] == c).sum(1) for c in range(10)], axis=1)
    top_rate = counts.max(1).mean() / 20
    clean_rate = (kw_class[~hit] == y[~hit, None]).mean()
    assert abs(top_rate - clean_rate) < 0.05


def test_older_modes_unchanged_by_the_misleading_mode():
    # The misleading draws come after the others: per_sample and global data are as before.
    _, tok, _, corrupted = make(50, corruption=0.5, seed=7)
    assert corrupted.sum() > 0 and tok.dtype == np.int32
    a = make(50, corruption=0.5, corruption_mode="misleading", seed=7)
    assert not np.array_equal(a[1], tok)
    np.testing.assert_array_equal(a[3], corrupted)


def bayes_accuracy(n=3000, seed=1, **kwargs):
    _, tok, y, _ = make(n, seed=seed, **kwargs)
    mode = kwargs.get("corruption_mode", "per_sample")
    post = helpers.two_modalities_text_posterior(
        tok, corruption=kwargs.get("corruption", 0.0), corruption_mode=mode
    )
    return post, y


def test_text_posterior_is_a_distribution_and_the_ceiling_of_b():
    post, y = bayes_accuracy()
    assert post.shape == (3000, 10) and post.dtype == np.float64
    np.testing.assert_allclose(post.sum(1), 1.0)
    assert np.all(post >= 0)
    bayes = np.mean(post.argmax(1) == y)
    # Ceiling of B at the default noise: about 0.73 (measured 0.730 at seed 1).
    assert 0.70 < bayes < 0.76
    # It is calibrated: the mean top probability matches the accuracy.
    assert abs(post.max(1).mean() - bayes) < 0.03
    # Pure random corruption leaves nothing: uniform posterior, chance accuracy.
    post, _ = bayes_accuracy(corruption=1.0)
    np.testing.assert_allclose(post, 0.1)


def test_text_posterior_knows_the_misleading_process():
    _, tok, y, _ = make(3000, seed=1, corruption=0.5, corruption_mode="misleading")
    rows = np.arange(len(y))
    aware = helpers.two_modalities_text_posterior(tok, corruption=0.5, corruption_mode="misleading")
    naive = helpers.two_modalities_text_posterior(tok)  # assumes clean B
    nll = -np.log(aware[rows, y]).mean()
    nll_naive = -np.log(naive[rows, y] + 1e-300).mean()
    assert nll < nll_naive - 0.5  # the mixture likelihood fits the corrupted data far better
    assert abs(aware.max(1).mean() - np.mean(aware.argmax(1) == y)) < 0.03  # calibrated


def test_floor_rules_are_above_chance_and_below_the_ceiling():
    x_img, tok, y, _ = make(3000, seed=2)
    rules = helpers.two_modalities_floor_rules(x_img, tok)
    acc = {k: np.mean(v == y) for k, v in rules.items()}
    assert set(acc) == {"a_template", "b_keywords", "keywords_then_template", "unless_swapped"}
    assert all(v.dtype == np.int64 and v.shape == (3000,) for v in rules.values())
    assert 0.15 < acc["a_template"] < 0.6  # a glyph template beats chance, not the CNN
    assert 0.65 < acc["b_keywords"] < 0.78
    assert acc["keywords_then_template"] > acc["b_keywords"]  # ties broken by the image
    post = helpers.two_modalities_text_posterior(tok)
    assert acc["b_keywords"] <= np.mean(post.argmax(1) == y) + 0.01


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"tokens": np.zeros(5, dtype=int)}, ValueError, "tokens"),
        ({"tokens": np.full((2, 3), 60)}, ValueError, "tokens"),
        ({"tokens": np.zeros((2, 3), dtype=float)}, ValueError, "tokens"),
        ({"text_noise": 1.5}, ValueError, "text_noise"),
        ({"corruption": -0.1}, ValueError, "corruption"),
        ({"corruption_mode": "global"}, ValueError, "corruption_mode"),
        ({"keywords_per_class": 0}, ValueError, "keywords_per_class"),
    ],
)
def test_text_posterior_bad_arguments(kwargs, error, name):
    args = {"tokens": np.zeros((2, 3), dtype=int), **kwargs}
    tokens = args.pop("tokens")
    with pytest.raises(error, match=name):
        helpers.two_modalities_text_posterior(tokens, **args)


def test_floor_rules_bad_arguments():
    with pytest.raises(ValueError, match="x_image"):
        helpers.two_modalities_floor_rules(np.zeros((4, 8, 9)), np.zeros((4, 3), dtype=int))
    with pytest.raises(ValueError, match="tokens"):
        helpers.two_modalities_floor_rules(np.zeros((4, 8, 8)), np.zeros((5, 3), dtype=int))
    with pytest.raises(ValueError, match="keywords_per_class"):
        helpers.two_modalities_floor_rules(
            np.zeros((4, 8, 8)), np.zeros((4, 3), dtype=int), keywords_per_class=0
        )


def test_keyword_swap_is_confidently_wrong_and_detectable_from_the_tokens():
    _, clean_tok, y, _ = make(2000)
    x_img, tok, y2, corrupted = make(2000, corruption=0.4, corruption_mode="keyword_swap")
    np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(x_img, make(2000)[0])  # corruption touches B only
    hit = corrupted == 1
    # Same samples as the other per-sample modes, clean samples untouched.
    np.testing.assert_array_equal(corrupted, make(2000, corruption=0.4)[3])
    np.testing.assert_array_equal(tok[~hit], clean_tok[~hit])
    assert abs(hit.mean() - 0.4) < 0.05
    # Every token of a hit sample is a keyword of one class, never the true one...
    kw_class = tok // 3
    assert np.all(kw_class[hit] == kw_class[hit, :1])
    assert np.all(kw_class[hit, 0] != y[hit]) and np.all(tok[hit] < 30)
    # ... and names the same wrong class as the misleading mode (same draws).
    mis = make(2000, corruption=0.4, corruption_mode="misleading")[1]
    mis_top = np.stack([(mis[hit] // 3 == c).sum(1) for c in range(10)], 1).argmax(1)
    assert np.mean(mis_top == kw_class[hit, 0]) > 0.6  # the vote is noisy; chance is 1/9
    # No clean sequence is made of one class's keywords only: detectable from the tokens.
    assert not np.any(np.all(kw_class[~hit] == kw_class[~hit, :1], axis=1))


def test_misleading_and_swap_leave_the_older_modes_unchanged():
    for mode in ("per_sample", "global"):
        a = make(60, corruption=0.5, corruption_mode=mode, seed=11)
        b = make(60, corruption=0.5, corruption_mode=mode, seed=11)
        np.testing.assert_array_equal(a[1], b[1])
    swap = make(60, corruption=0.5, corruption_mode="keyword_swap", seed=11)
    mis = make(60, corruption=0.5, corruption_mode="misleading", seed=11)
    np.testing.assert_array_equal(swap[3], mis[3])
    assert not np.array_equal(swap[1], mis[1])


def test_text_posterior_knows_the_keyword_swap():
    _, tok, y, hit = make(3000, seed=1, corruption=0.5, corruption_mode="keyword_swap")
    hit = hit == 1
    post = helpers.two_modalities_text_posterior(
        tok, corruption=0.5, corruption_mode="keyword_swap"
    )
    np.testing.assert_allclose(post.sum(1), 1.0)
    named = tok[hit, 0] // 3
    # A swapped sample: the named class ruled out, the other 9 equally likely.
    np.testing.assert_allclose(post[np.flatnonzero(hit), named], 0.0, atol=1e-12)
    np.testing.assert_allclose(np.sort(post[hit], axis=1)[:, 1:], 1 / 9, atol=1e-9)
    # Clean samples read as clean, so its accuracy is the clean half's plus chance on the rest.
    acc = np.mean(post.argmax(1) == y)
    assert 0.38 < acc < 0.46
    naive = helpers.two_modalities_text_posterior(tok)  # assumes clean B: confidently wrong
    assert np.mean(naive[hit].argmax(1) == named) == 1.0


def test_floor_rule_unless_swapped():
    x_img, tok, y, hit = make(3000, seed=2, corruption=0.5, corruption_mode="keyword_swap")
    rules = helpers.two_modalities_floor_rules(x_img, tok)
    acc = {k: np.mean(v == y) for k, v in rules.items()}
    assert acc["unless_swapped"] > acc["keywords_then_template"] + 0.1
    assert np.all(rules["unless_swapped"][hit == 1] != tok[hit == 1, 0] // 3)
    # Without swapped samples it is the keywords-then-template rule.
    x_img, tok, _, _ = make(500, seed=2)
    rules = helpers.two_modalities_floor_rules(x_img, tok)
    np.testing.assert_array_equal(rules["unless_swapped"], rules["keywords_then_template"])
