"""Unit tests for the data of notebook 02 (digit pairs, shape scenes, motion clips, questions)."""

import numpy as np
import pytest

import helpers

# --------------------------------------------------------------------------------------------
# make_digit_pairs
# --------------------------------------------------------------------------------------------


def test_digit_pairs_shapes_dtypes_ranges():
    xa, xb, same = helpers.make_digit_pairs(101, size=20, seed=1)
    assert xa.shape == xb.shape == (101, 20, 20)
    assert xa.dtype == xb.dtype == np.float32
    assert same.shape == (101,) and same.dtype == np.int64
    assert set(np.unique(same)) == {0, 1}
    for x in (xa, xb):
        assert x.min() >= 0.0 and x.max() <= 1.0


def test_digit_pairs_balanced_and_never_the_same_image():
    xa, xb, same = helpers.make_digit_pairs(200, seed=3)
    assert same.sum() == 100
    flat = np.concatenate([xa, xb]).reshape(400, -1)
    assert len(np.unique(flat, axis=0)) == 400  # every image is drawn once


def test_digit_pairs_same_means_same_digit():
    xa, xb, same, digits = helpers.make_digit_pairs(400, noise=0.0, return_digits=True, seed=4)
    assert digits.shape == (400, 2) and digits.dtype == np.int64
    assert np.array_equal(same, (digits[:, 0] == digits[:, 1]).astype(np.int64))
    assert np.bincount(digits[:, 0], minlength=10).tolist() == [40] * 10
    offsets = (digits[same == 0, 1] - digits[same == 0, 0]) % 10
    assert set(offsets.tolist()) == set(range(1, 10))  # every wrong digit occurs
    # The images show those digits: |FFT| ignores the random shift, and two drawings of one
    # digit are more alike than drawings of two digits.
    fa = np.abs(np.fft.fft2(xa)).reshape(400, -1)
    fb = np.abs(np.fft.fft2(xb)).reshape(400, -1)
    corr = np.array([np.corrcoef(a, b)[0, 1] for a, b in zip(fa, fb, strict=True)])
    assert corr[same == 1].mean() > corr[same == 0].mean() + 0.04


def test_digit_pairs_seeds():
    a1, b1, s1 = helpers.make_digit_pairs(30, seed=5)
    a2, b2, s2 = helpers.make_digit_pairs(30, seed=5)
    a3, _, _ = helpers.make_digit_pairs(30, seed=6)
    assert np.array_equal(a1, a2) and np.array_equal(b1, b2) and np.array_equal(s1, s2)
    assert not np.array_equal(a1, a3)


@pytest.mark.parametrize(
    ("kwargs", "match", "error"),
    [
        ({"n": 0}, "n", ValueError),
        ({"n": 2.5}, "n", TypeError),
        ({"n": 10, "size": 4}, "size", ValueError),
        ({"n": 10, "noise": -0.1}, "noise", ValueError),
        ({"n": 10, "return_digits": 1}, "return_digits", TypeError),
        ({"n": 10, "seed": -1}, "seed", ValueError),
        ({"n": 10, "seed": "0"}, "seed", TypeError),
    ],
)
def test_digit_pairs_bad_input(kwargs, match, error):
    n = kwargs.pop("n")
    with pytest.raises(error, match=match):
        helpers.make_digit_pairs(n, **kwargs)


# --------------------------------------------------------------------------------------------
# encode_questions / decode_question
# --------------------------------------------------------------------------------------------


def test_encode_decode_round_trip_and_left_padding():
    ids = helpers.encode_questions(["how many circles ?", "is there a red square ?"])
    assert ids.shape == (2, helpers.QUESTION_LENGTH) and ids.dtype == np.int64
    assert ids[0, 0] == 0 and ids[0, -1] == helpers.QA_VOCAB.index("?")
    assert helpers.decode_question(ids[0]) == "how many circles ?"
    assert helpers.decode_question(ids[1]) == "is there a red square ?"


@pytest.mark.parametrize(
    ("texts", "kwargs", "match", "error"),
    [
        ("what color is it ?", {}, "texts", TypeError),
        (["what colour is it ?"], {}, "texts", ValueError),
        ([""], {}, "texts", ValueError),
        (["<pad> ?"], {}, "texts", ValueError),
        (["which way did it go ?"], {"length": 3}, "length", ValueError),
        (["it ?"], {"length": 0}, "length", ValueError),
    ],
)
def test_encode_questions_bad_input(texts, kwargs, match, error):
    with pytest.raises(error, match=match):
        helpers.encode_questions(texts, **kwargs)


@pytest.mark.parametrize(
    "ids", [np.zeros((2, 6), dtype=np.int64), np.array([], dtype=np.int64), np.array([1.0, 2.0])]
)
def test_decode_question_bad_shape(ids):
    with pytest.raises(ValueError, match="ids"):
        helpers.decode_question(ids)


def test_decode_question_bad_range():
    with pytest.raises(ValueError, match="ids"):
        helpers.decode_question(np.array([0, len(helpers.QA_VOCAB)]))


# --------------------------------------------------------------------------------------------
# make_shape_scenes
# --------------------------------------------------------------------------------------------


def test_shape_scenes_shapes_dtypes_ranges():
    images, questions, answers, qtypes = helpers.make_shape_scenes(60, size=20, seed=1)
    assert images.shape == (60, 20, 20, 3) and images.dtype == np.float32
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert questions.shape == (60, helpers.QUESTION_LENGTH) and questions.dtype == np.int64
    assert answers.shape == qtypes.shape == (60,)
    assert answers.dtype == qtypes.dtype == np.int64
    assert answers.min() >= 0 and answers.max() < len(helpers.QA_ANSWERS)
    assert questions.min() >= 0 and questions.max() < len(helpers.QA_VOCAB)


def test_shape_scenes_balanced_types_and_answers():
    _, questions, answers, qtypes = helpers.make_shape_scenes(240, seed=2)
    assert np.bincount(qtypes).tolist() == [80, 80, 80]
    answer_sets = [helpers.SCENE_COLORS, ("yes", "no"), ("0", "1", "2", "3")]
    for t, words in enumerate(answer_sets):
        got = [helpers.QA_ANSWERS[a] for a in answers[qtypes == t]]
        counts = [got.count(w) for w in words]
        assert set(got) == set(words) and max(counts) - min(counts) <= 1
        first_words = {helpers.decode_question(q).split()[0] for q in questions[qtypes == t]}
        assert first_words == {("what", "is", "how")[t]}


def test_shape_scenes_answers_match_the_pictures():
    # A "how many <shape>s ? -> 0" scene still has objects; a "3" scene has three of them.
    images, _, answers, qtypes = helpers.make_shape_scenes(300, noise=0.0, seed=3)
    lit = (images.max(axis=-1) > 0.2).mean(axis=(1, 2))  # fraction of coloured pixels
    count = np.array([helpers.QA_ANSWERS[a] for a in answers])
    assert np.all(lit > 0.02)
    assert lit[(qtypes == 2) & (count == "3")].mean() > lit[(qtypes == 2) & (count == "1")].mean()


def test_shape_scenes_seeds():
    a = helpers.make_shape_scenes(12, seed=7)
    b = helpers.make_shape_scenes(12, seed=7)
    c = helpers.make_shape_scenes(12, seed=8)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    ("kwargs", "match", "error"),
    [
        ({"n": 0}, "n", ValueError),
        ({"n": 5, "size": 8}, "size", ValueError),
        ({"n": 5, "size": 24.0}, "size", TypeError),
        ({"n": 5, "noise": 0.9}, "noise", ValueError),
        ({"n": 5, "seed": -3}, "seed", ValueError),
    ],
)
def test_shape_scenes_bad_input(kwargs, match, error):
    n = kwargs.pop("n")
    with pytest.raises(error, match=match):
        helpers.make_shape_scenes(n, **kwargs)


# --------------------------------------------------------------------------------------------
# make_motion_clips
# --------------------------------------------------------------------------------------------


def test_motion_clips_shapes_dtypes_ranges():
    clips, questions, answers, qtypes = helpers.make_motion_clips(30, frames=5, size=16, seed=1)
    assert clips.shape == (30, 5, 16, 16, 3) and clips.dtype == np.float32
    assert clips.min() >= 0.0 and clips.max() <= 1.0
    assert questions.shape == (30, helpers.QUESTION_LENGTH) and questions.dtype == np.int64
    assert answers.dtype == qtypes.dtype == np.int64
    assert set(np.unique(qtypes)) == {0, 1, 2}


def test_motion_clips_balanced_answers_per_type():
    _, _, answers, qtypes = helpers.make_motion_clips(120, frames=4, seed=2)
    assert np.bincount(qtypes).tolist() == [40, 40, 40]
    for t, words in enumerate(helpers.CLIP_ANSWER_WORDS):
        got = [helpers.QA_ANSWERS[a] for a in answers[qtypes == t]]
        counts = [got.count(w) for w in words]
        assert set(got) == set(words) and max(counts) - min(counts) <= 1


def test_motion_clips_move_the_way_the_answer_says():
    clips, _, answers, qtypes = helpers.make_motion_clips(80, noise=0.0, seed=3)
    mass = clips.max(axis=-1)  # (n, frames, size, size)
    grid = np.arange(clips.shape[2], dtype=np.float64)
    total = mass.sum(axis=(2, 3))
    cx = (mass.sum(axis=2) * grid).sum(axis=-1) / total  # centre of mass, x per frame
    cy = (mass.sum(axis=3) * grid).sum(axis=-1) / total
    dx, dy = cx[:, -1] - cx[:, 0], cy[:, -1] - cy[:, 0]
    expected = {"left": (dx < -3), "right": (dx > 3), "up": (dy < -3), "down": (dy > 3)}
    for i in np.flatnonzero(qtypes == 0):
        assert expected[helpers.QA_ANSWERS[answers[i]]][i]


def test_motion_clips_seeds():
    a = helpers.make_motion_clips(6, frames=3, seed=4)
    b = helpers.make_motion_clips(6, frames=3, seed=4)
    c = helpers.make_motion_clips(6, frames=3, seed=5)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    ("kwargs", "match", "error"),
    [
        ({"n": 0}, "n", ValueError),
        ({"n": 4, "frames": 1}, "frames", ValueError),
        ({"n": 4, "frames": 100}, "frames", ValueError),
        ({"n": 4, "size": 200}, "size", ValueError),
        ({"n": 4, "noise": -1.0}, "noise", ValueError),
        ({"n": 4, "noise": "x"}, "noise", TypeError),
        ({"n": 4, "seed": 1.5}, "seed", TypeError),
    ],
)
def test_motion_clips_bad_input(kwargs, match, error):
    n = kwargs.pop("n")
    with pytest.raises(error, match=match):
        helpers.make_motion_clips(n, **kwargs)


def test_motion_clips_attributes_give_every_answer():
    # The ceiling: whoever knows a clip's direction, colour and shape answers every question.
    clips, _, answers, qtypes, attrs = helpers.make_motion_clips(
        90, frames=3, return_attributes=True, seed=6
    )
    assert attrs.shape == (90, 3) and attrs.dtype == np.int64
    words = [helpers.CLIP_ANSWER_WORDS[t][attrs[i, t]] for i, t in enumerate(qtypes)]
    assert [helpers.QA_ANSWERS[a] for a in answers] == words
    plain = helpers.make_motion_clips(90, frames=3, seed=6)
    assert np.array_equal(plain[0], clips)  # the flag changes what is returned, not the data


def test_motion_clips_bad_return_attributes():
    with pytest.raises(TypeError, match="return_attributes"):
        helpers.make_motion_clips(4, return_attributes=1)


# --------------------------------------------------------------------------------------------
# Floors and ceilings
# --------------------------------------------------------------------------------------------


def _pair_cells():
    """Exact probability of (digit a, digit b, same) for make_digit_pairs: (10, 10) arrays."""
    p_same = np.eye(10) * 0.5 / 10
    p_diff = (1 - np.eye(10)) * 0.5 / 90
    return p_same, p_diff


def test_digit_pairs_floor_is_the_majority():
    _, _, same = helpers.make_digit_pairs(300, seed=8)
    assert same.mean() == 0.5


def test_digit_pairs_additive_bound_is_three_quarters():
    p_same, p_diff = _pair_cells()
    order = np.greater_equal.outer(np.arange(10), np.arange(10))  # same iff a >= b
    assert np.isclose((p_same * order).sum() + (p_diff * ~order).sum(), 0.75)
    # No additive rule g(a) + h(b) > 0 does better (random search over 20000 rules).
    rng = np.random.default_rng(0)
    g, h = rng.normal(size=(20000, 10, 1)), rng.normal(size=(20000, 1, 10))
    accept = g + h > 0
    acc = (accept * p_same).sum((1, 2)) + (~accept * p_diff).sum((1, 2))
    assert acc.max() <= 0.75 + 1e-12 and acc.max() > 0.65
    # and the order rule reaches it on drawn pairs
    _, _, same, digits = helpers.make_digit_pairs(4000, return_digits=True, seed=9)
    assert abs(np.mean((digits[:, 0] >= digits[:, 1]) == same) - 0.75) < 0.03


def test_digit_pairs_each_image_alone_says_nothing():
    """E[same | a] = E[same | b] = 1/2: why an additive head's log-loss optimum is 1/2."""
    p_same, p_diff = _pair_cells()
    joint = p_same + p_diff
    assert np.allclose(p_same.sum(1) / joint.sum(1), 0.5)  # given digit a
    assert np.allclose(p_same.sum(0) / joint.sum(0), 0.5)  # given digit b
    _, _, same, digits = helpers.make_digit_pairs(20000, size=8, return_digits=True, seed=14)
    for column in (0, 1):
        rate = [same[digits[:, column] == d].mean() for d in range(10)]
        assert max(abs(r - 0.5) for r in rate) < 0.05  # about 4.5 standard errors


def test_shape_scenes_answers_do_not_depend_on_the_question_words():
    """Within a type, every question has the same answer prior (1/4, 1/2, 1/4): exact floors."""
    _, q, a, t = helpers.make_shape_scenes(6000, size=16, seed=15)
    for qtype, n_answers in ((0, 4), (1, 2), (2, 4)):
        rows = t == qtype
        texts, answers = np.unique(q[rows], axis=0, return_inverse=True)
        for k in range(len(texts)):
            counts = np.bincount(a[rows][answers.ravel() == k], minlength=17)
            share = counts[counts > 0] / counts.sum()
            assert len(share) == n_answers and share.max() - share.min() < 0.3


def test_shape_scenes_question_only_floor():
    _, q, a, _ = helpers.make_shape_scenes(3000, seed=10)
    _, q_test, a_test, t_test = helpers.make_shape_scenes(1500, seed=11)
    hit = helpers.question_only_rule(q, a, q_test) == a_test
    assert abs(hit.mean() - 1 / 3) < 0.04
    for t, prior in enumerate((1 / 4, 1 / 2, 1 / 4)):
        assert abs(hit[t_test == t].mean() - prior) < 0.07


def test_motion_clips_question_only_floor():
    _, q, a, _ = helpers.make_motion_clips(600, frames=2, size=16, seed=12)
    _, q_test, a_test, _ = helpers.make_motion_clips(600, frames=2, size=16, seed=13)
    hit = helpers.question_only_rule(q, a, q_test) == a_test
    assert abs(hit.mean() - (1 / 4 + 1 / 4 + 1 / 3) / 3) < 0.05


def test_question_only_rule_unseen_question_gets_the_overall_majority():
    q = helpers.encode_questions(["how many circles ?", "how many circles ?", "what color is it ?"])
    a = np.array([7, 7, 0])
    unseen = helpers.encode_questions(["how many squares ?"])
    assert helpers.question_only_rule(q, a, unseen).tolist() == [7]
    assert helpers.question_only_rule(q, a, q[2:]).tolist() == [0]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.zeros((3, 6)), np.zeros(3, int), np.zeros((2, 5))), "questions"),
        ((np.zeros(6), np.zeros(3, int), np.zeros((2, 6))), "questions"),
        ((np.zeros((3, 6)), np.zeros(2, int), np.zeros((2, 6))), "train_answers"),
        ((np.zeros((3, 6)), np.zeros(3), np.zeros((2, 6))), "train_answers"),
        ((np.zeros((0, 6)), np.zeros(0, int), np.zeros((2, 6))), "train_questions"),
    ],
)
def test_question_only_rule_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        helpers.question_only_rule(*args)


# --------------------------------------------------------------------------------------------
# Pictures of this section
# --------------------------------------------------------------------------------------------


def test_plot_paired_seeds_and_curves():
    import matplotlib

    matplotlib.use("Agg")
    ax = helpers.plot_paired_seeds({"a": [0.8, 0.9], "b": [0.5, 0.6]}, ylabel="acc", floor=0.1)
    assert len(ax.get_xticklabels()) == 2
    ax = helpers.plot_seed_curves({"a": [{"val_accuracy": [0.1, 0.2, 0.3, 0.4]}]})
    assert len(ax.get_lines()) == 1
    ax.figure.canvas.draw()
    ticks = [t for t in ax.get_xticks() if 1 <= t <= 4]
    assert ticks and all(float(t).is_integer() for t in ticks)  # whole epochs


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"per_seed": {}, "ylabel": "acc"}, "per_seed"),
        ({"per_seed": {"a": [1.0], "b": [1.0, 2.0]}, "ylabel": "acc"}, "per_seed"),
        ({"per_seed": {"a": [1.0]}, "ylabel": ""}, "ylabel"),
    ],
)
def test_plot_paired_seeds_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        helpers.plot_paired_seeds(**kwargs)


@pytest.mark.parametrize("runs", [{}, {"a": []}, {"a": [{"loss": [1.0]}]}])
def test_plot_seed_curves_bad_input(runs):
    with pytest.raises(ValueError, match="runs"):
        helpers.plot_seed_curves(runs)


# --------------------------------------------------------------------------------------------
# Image-only floors: shape_scenes_image_rule, clip_fill_ratio_rule
# --------------------------------------------------------------------------------------------


def test_shape_scenes_image_rule_floor_per_type():
    images, _, answers, qtypes = helpers.make_shape_scenes(1500, seed=21)
    pred = helpers.shape_scenes_image_rule(images, qtypes)
    assert pred.shape == (1500,) and pred.dtype == np.int64
    hit = pred == answers
    per_type = [hit[qtypes == t].mean() for t in range(3)]
    assert 0.65 < per_type[0] < 0.85  # colour: far above the prior 1/4, not the ceiling
    assert per_type[1] == np.mean(answers[qtypes == 1] == helpers.QA_ANSWERS.index("yes"))
    assert 0.38 < per_type[2] < 0.55  # count of objects: above the prior 1/4
    words = {helpers.QA_ANSWERS[a] for a in pred[qtypes == 0]}
    assert words <= set(helpers.SCENE_COLORS)
    assert {helpers.QA_ANSWERS[a] for a in pred[qtypes == 2]} <= {"0", "1", "2", "3"}


def test_shape_scenes_image_rule_reads_a_drawn_scene():
    images, _, answers, qtypes = helpers.make_shape_scenes(300, noise=0.0, seed=22)
    hit = helpers.shape_scenes_image_rule(images, qtypes) == answers
    # one object per colour question: the only colour there is the answer
    one = (images.max(-1) > 0.35).reshape(300, 2, 12, 2, 12).sum((2, 4)) >= 8
    lone = (qtypes == 0) & (one.sum((1, 2)) == 1)
    assert lone.sum() > 20 and hit[lone].all()


@pytest.mark.parametrize(
    ("images", "qtypes", "match"),
    [
        (np.zeros((2, 24, 24)), np.zeros(2, int), "images"),
        (np.zeros((2, 24, 24, 3), dtype=int), np.zeros(2, int), "images"),
        (np.zeros((2, 23, 23, 3)), np.zeros(2, int), "even"),
        (np.zeros((2, 24, 24, 3)), np.zeros(3, int), "qtypes"),
        (np.zeros((2, 24, 24, 3)), np.zeros(2), "qtypes"),
        (np.zeros((2, 24, 24, 3)), np.array([0, 3]), "qtypes"),
    ],
)
def test_shape_scenes_image_rule_bad_input(images, qtypes, match):
    with pytest.raises(ValueError, match=match):
        helpers.shape_scenes_image_rule(images, qtypes)


def test_clip_fill_ratio_rule_reads_every_shape():
    clips, _, _, _, attrs = helpers.make_motion_clips(
        300, frames=2, return_attributes=True, seed=23
    )
    for frame in (0, 1):
        pred = helpers.clip_fill_ratio_rule(clips[:, frame])
        assert pred.shape == (300,) and pred.dtype == np.int64
        assert np.array_equal(pred, attrs[:, 2])  # floor = ceiling for shape


@pytest.mark.parametrize("frames", [np.zeros((2, 8, 24, 24, 3)), np.zeros((2, 24, 24, 3), int)])
def test_clip_fill_ratio_rule_bad_input(frames):
    with pytest.raises(ValueError, match="frames"):
        helpers.clip_fill_ratio_rule(frames)
