"""Edge refinement, decontamination and the classical sweep mask, on photos with known alpha."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from aefix.errors import NoProductError
from aefix.stages.backdrop import SHADOW_PULL_LIMIT, Backdrop, estimate_backdrop, noise_around
from aefix.stages.matte import (
    AVERAGED_SIGMA_PX,
    MIN_CONTRAST,
    _backdrop_behind_shadow,
    _bare_on_average,
    _box_around,
    _contour_ring,
    _darkens_evenly,
    _darkens_evenly_along,
    _gain_quartiles,
    _holes_in_the_sweeps_tone,
    _labelled,
    _lit_backdrop_beside_shadow,
    _local_colour,
    _luma_and_span,
    _noise_inside,
    _penumbra_beyond,
    _penumbra_left_beside,
    _PieceMaps,
    _ramps,
    _remnants_of,
    _shading_strips,
    _shadow_lines,
    _shadow_within,
    _shadows_running_into,
    _slivers_along_the_edge,
    _soft_edges,
    _tabs_of_shadow,
    _tinted_parts,
    backdrop_gain,
    band_width,
    classic_product,
    classic_threshold,
    refine_edges,
    shadow_of,
    thin_lines,
)
from conftest import iou

SIZE = 1600


def _disc_alpha(size: int = SIZE, radius: float = 420.0, hole: float = 0.0, blur: float = 1.0) -> np.ndarray:
    """An anti-aliased disc (optionally a ring) with a `blur` px optical blur: the true coverage."""
    mask = np.zeros((size, size), np.uint8)
    centre = (size // 2 * 16, size // 2 * 16)
    cv2.circle(mask, centre, round(radius * 16), 255, -1, cv2.LINE_AA, 4)
    if hole:
        cv2.circle(mask, centre, round(hole * 16), 0, -1, cv2.LINE_AA, 4)
    return cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), blur)


def _box_alpha(size: int = SIZE, side: int = 600) -> np.ndarray:
    """A square `side` px across in the middle of the frame, with a 1 px optical blur: the true coverage."""
    box = np.zeros((size, size), np.float32)
    start = (size - side) // 2
    box[start : start + side, start : start + side] = 1.0
    return cv2.GaussianBlur(box, (0, 0), 1.0)


def _composite(
    alpha: np.ndarray, product: tuple[float, float, float], backdrop: float, noise: float = 1.5
) -> np.ndarray:
    rng = np.random.default_rng(7)
    colour = np.array(product, np.float32)[None, None, :]
    photo = colour * alpha[:, :, None] + backdrop * (1.0 - alpha[:, :, None])
    photo += rng.normal(0.0, noise, photo.shape).astype(np.float32)
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8)


def _with_cast_shadow(
    truth: np.ndarray,
    product: tuple[int, int, int],
    backdrop: float,
    shift: tuple[int, int],
    penumbra: float,
    darkening: float,
    noise: float = 1.5,
) -> tuple[np.ndarray, np.ndarray]:
    """`truth` over a sweep of `backdrop`, casting a hard shadow `shift` (rows, columns) px away that
    darkens the sweep by `darkening`, its edge blurred by `penumbra` px: the photo, and the shadow's
    coverage."""
    photo = _composite(truth, product, backdrop, noise).astype(np.float32)
    cast = cv2.GaussianBlur(np.roll(truth, shift, axis=(0, 1)), (0, 0), penumbra)
    photo *= 1.0 - darkening * (cast * (1.0 - truth))[:, :, None]
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8), cast


def _coarse(alpha: np.ndarray, shift: int) -> tuple[np.ndarray, np.ndarray]:
    """A coarse network-like mask: the truth at 320 px, blown up, and `shift` px too wide."""
    small = cv2.resize(alpha, (320, 320), interpolation=cv2.INTER_AREA)
    soft = np.clip(cv2.resize(small, alpha.shape[::-1], interpolation=cv2.INTER_LINEAR), 0, 1)
    hard = cv2.dilate((soft >= 0.5).astype(np.uint8), np.ones((2 * shift + 1,) * 2, np.uint8)).astype(bool)
    return hard, soft


def test_refined_edge_follows_the_photo_not_the_coarse_mask() -> None:
    truth = _disc_alpha()
    photo = _composite(truth, (200, 40, 30), 228.0)
    hard, soft = _coarse(truth, shift=6)  # six pixels off: what a 320 px mask does at this size
    assert band_width(truth.shape) > 6
    matte = refine_edges(photo, hard, soft, estimate_backdrop(photo, hard))
    assert iou(hard, truth >= 0.5) < 0.975
    assert iou(matte.mask.hard, truth >= 0.5) > 0.998
    assert float(np.abs(matte.mask.alpha - truth).mean()) < 0.002
    # Beyond two pixels of the true edge alpha is exactly 0: the output there is exactly white.
    far = cv2.dilate((truth > 0.01).astype(np.uint8), np.ones((5, 5), np.uint8)) == 0
    assert (matte.mask.alpha[far] == 0).all()


@pytest.mark.parametrize("hard_is_exact", [False, True])
def test_a_white_product_s_weak_edge_in_a_noisy_photo_is_read_averaged(hard_is_exact: bool) -> None:
    """A white disc 14 levels over a light-grey sweep, with noise of 6 levels a channel: pixel by
    pixel the edge is under 3x the noise, not to be trusted, and the network's edge, 4 px wide of
    it, was kept; averaged over a few pixels, the noise drops well under it and the edge is the
    photo's."""
    truth = _disc_alpha()
    photo = _composite(truth, (232, 232, 232), 218.0, noise=6.0)
    soft = _disc_alpha(radius=424.0)  # the network's edge, 4 px out
    hard = soft >= 0.5
    backdrop = estimate_backdrop(photo, hard)
    assert float(np.linalg.norm([14.0] * 3)) < 3.0 * backdrop.noise  # untrusted pixel by pixel
    matte = refine_edges(photo, hard, soft, backdrop, hard_is_exact=hard_is_exact)
    assert iou(hard, truth >= 0.5) < 0.985
    assert iou(matte.mask.hard, truth >= 0.5) > 0.997
    # Nothing left on the sweep more than two pixels out: the output there is exactly white.
    far = cv2.dilate((truth > 0.01).astype(np.uint8), np.ones((5, 5), np.uint8)) == 0
    assert (matte.mask.alpha[far] == 0).all()


def test_edge_colour_is_decontaminated() -> None:
    """Over white, an edge pixel must be product over white, not product over the old grey sweep."""
    truth = _disc_alpha()
    red = (200, 40, 30)
    photo = _composite(truth, red, 200.0, noise=0.0)
    hard, soft = _coarse(truth, shift=4)
    matte = refine_edges(photo, hard, soft, estimate_backdrop(photo, hard))
    alpha = matte.mask.alpha[:, :, None]
    over_white = matte.colour * alpha + 255.0 * (1.0 - alpha)
    expected = np.array(red, np.float32) * truth[:, :, None] + 255.0 * (1.0 - truth[:, :, None])
    edge = (truth > 0.1) & (truth < 0.9)
    naive = photo.astype(np.float32) * alpha + 255.0 * (1.0 - alpha)  # the grey halo without it
    assert np.abs(naive - expected)[edge].mean() > 8.0
    assert np.abs(over_white - expected)[edge].mean() < 3.0


def test_holes_stay_open_and_highlights_stay_product() -> None:
    truth = _disc_alpha(radius=500, hole=200)
    photo = _composite(truth, (30, 60, 170), 240.0)
    # A specular highlight inside the band, near-white like the backdrop: still product.
    cv2.circle(photo, (SIZE // 2 + 480, SIZE // 2), 12, (250, 250, 250), -1)
    hard, soft = _coarse(truth, shift=3)
    matte = refine_edges(photo, hard, soft, estimate_backdrop(photo, hard))
    assert not matte.mask.hard[SIZE // 2, SIZE // 2]  # the hole
    assert matte.mask.hard[SIZE // 2, SIZE // 2 + 480]  # the highlight
    assert iou(matte.mask.hard, truth >= 0.5) > 0.99


@pytest.mark.parametrize(
    ("backdrop", "rim_colour", "hard_is_exact"), [(150.0, (90, 90, 170), False), (235.0, (110, 110, 185), True)]
)
def test_a_product_s_lighter_rim_is_opaque_product_not_partly_backdrop(
    backdrop: float, rim_colour: tuple[int, int, int], hard_is_exact: bool
) -> None:
    """A blue disc with a lighter blue rim 12 px wide at its edge, on a grey table and on a light
    sweep: the edge's colours come from the disc's middle, against which the rim reads as part
    backdrop (alpha down to 0.65 on 42% of it, more than 5 px in). Over white that whitened the
    rim by 17 levels on the table and 4 on the sweep; past the edge's ramp it is all rim."""
    truth = _disc_alpha()
    rim = (cv2.distanceTransform((truth >= 0.5).astype(np.uint8), cv2.DIST_L2, 3) <= 12)[:, :, None]
    colour = np.where(rim, np.array(rim_colour, np.float32), np.array((60, 60, 160), np.float32))
    rng = np.random.default_rng(7)
    photo = colour * truth[:, :, None] + backdrop * (1.0 - truth[:, :, None]) + rng.normal(0.0, 1.5, colour.shape)
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    hard, soft = _coarse(truth, shift=4)
    matte = refine_edges(photo, hard, soft, estimate_backdrop(photo, hard), hard_is_exact=hard_is_exact)
    depth = cv2.distanceTransform((truth >= 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    in_rim = (depth > 5) & rim[:, :, 0]
    assert in_rim.sum() > 15_000
    assert (matte.mask.alpha[in_rim] == 1.0).all()
    alpha = matte.mask.alpha[:, :, None]
    over_white = matte.colour * alpha + 255.0 * (1.0 - alpha)
    assert np.abs(over_white[in_rim] - np.array(rim_colour)).max(axis=1).mean() < 3.0
    # The edge itself still ramps as the photo's does: no step where the rim's partial alpha ended.
    assert iou(matte.mask.hard, truth >= 0.5) > 0.997
    assert float(np.abs(matte.mask.alpha - truth).mean()) < 0.0015


@pytest.mark.parametrize(("blur", "mae_limit"), [(3.0, 0.00055), (6.0, 0.0025)])
def test_an_edge_out_of_focus_keeps_its_own_ramp(blur: float, mae_limit: float) -> None:
    """A disc `blur` px out of focus: its edge ramps to 1 over up to 12 px, so its product is not
    made opaque 4 px in (a fixed 4 px ramp took the alpha error to 0.00062 and 0.00281)."""
    truth = _disc_alpha(blur=blur)
    photo = _composite(truth, (200, 40, 30), 228.0)
    hard, soft = _coarse(truth, shift=4)
    matte = refine_edges(photo, hard, soft, estimate_backdrop(photo, hard))
    assert float(np.abs(matte.mask.alpha - truth).mean()) < mae_limit
    assert iou(matte.mask.hard, truth >= 0.5) > 0.998


@pytest.mark.parametrize("hard_is_exact", [False, True])
def test_dust_a_pixel_of_backdrop_off_a_sharp_edge_is_backdrop(hard_is_exact: bool) -> None:
    """Specks of product-coloured dust one pixel of backdrop away from a sharp edge, inside the
    coarse mask: too small to be product, they kept alpha 1 because they lay within 2 px of it (as
    a glass ring's 4 px sliver did on a fabric in seed 2026: 15 impure output px, now 3)."""
    side, start = 600, 500
    truth = np.zeros((SIZE, SIZE), np.float32)
    truth[start : start + side, start : start + side] = 1.0
    photo = _composite(truth, (60, 60, 160), 235.0)
    past = start + side + 1  # one pixel of backdrop past the product's last row and column
    dust = np.zeros_like(truth, dtype=bool)
    dust[800:805, past] = True  # a line of five
    dust[700, past] = True
    dust[past, 900] = True
    photo[dust] = (60, 60, 160)
    hard, soft = _coarse(truth, shift=4)
    matte = refine_edges(photo, hard, soft, estimate_backdrop(photo, hard), hard_is_exact=hard_is_exact)
    assert (matte.mask.alpha[dust] == 0.0).all()
    assert not matte.mask.hard[dust].any()
    assert iou(matte.mask.hard, truth >= 0.5) > 0.999


def test_a_cool_white_ring_on_a_grained_table_is_read_across_the_grain() -> None:
    """A cool white disc on a warm table whose grain is brightness alone (the same field in every
    channel, 11 levels p95): the two differ by 22 levels, mostly in blue, under the 3x noise a
    plain projection needs, so the edge was read on the averaged photo and the network's edge, 3 px
    wide, kept 158 px of alpha more than 2 px off the disc (IoU 0.9969). Across the grain the
    noise is a few levels, and the edge reads from the photo itself."""
    rng = np.random.default_rng(11)
    truth = _disc_alpha()
    grain = cv2.GaussianBlur(rng.normal(0.0, 1.0, (SIZE, SIZE)).astype(np.float32), (0, 0), sigmaX=6.0, sigmaY=1.0)
    table = np.array((231, 225, 215), np.float32) + (grain * 5.0 / grain.std())[:, :, None]
    disc = np.array((228, 231, 236), np.float32)
    photo = disc * truth[:, :, None] + table * (1.0 - truth[:, :, None]) + rng.normal(0.0, 1.0, table.shape)
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    wide = cv2.dilate((truth >= 0.5).astype(np.uint8), np.ones((7, 7), np.uint8)).astype(np.float32)
    soft = cv2.GaussianBlur(wide, (0, 0), 2.0)
    hard = cv2.dilate((soft >= 0.5).astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    matte = refine_edges(photo, hard, soft, estimate_backdrop(photo, hard))
    off_the_disc = cv2.distanceTransform((truth < 0.01).astype(np.uint8), cv2.DIST_L2, 3) > 2
    assert not (matte.mask.alpha[off_the_disc] > 0.0).any()
    assert iou(matte.mask.hard, truth >= 0.5) > 0.999
    assert float(np.abs(matte.mask.alpha - truth).mean()) < 0.0005


@pytest.mark.parametrize("hard_is_exact", [False, True])
def test_a_white_ring_on_a_table_with_a_wide_grain_is_read_on_the_averaged_photo(hard_is_exact: bool) -> None:
    """A cool white disc on a light table whose grain is stripes 110 px apart, 6 levels deep: the
    two differ by 18.7 levels (34.8 in the noise's metric), under 3x the grain's 12.9 levels p95
    around the frame's smooth model, 12.5 averaged, so the network's edge, 5 px wide, was kept
    (156 px of alpha more than 2 px off the disc, IoU 0.968). Around the local average the band
    reads against, 2.7 levels of it are left, and the edge is the photo's (IoU 0.999)."""
    size = 1200
    rng = np.random.default_rng(25)
    truth = _disc_alpha(size, radius=300.0)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32)
    grain = 6.0 * np.sin(rows * 2 * np.pi / 110.0 + 3.0 * np.sin(cols / size * 5.0))
    fine = cv2.GaussianBlur(rng.normal(0.0, 1.0, (size, size)).astype(np.float32), (0, 0), 1.5)
    table = (218.0 + grain + 4.0 * fine)[:, :, None] + np.float32([6, 0, -10])
    disc = np.float32([220.4, 222.8, 226.0])
    photo = disc * truth[:, :, None] + table * (1.0 - truth[:, :, None]) + rng.normal(0.0, 1.5, table.shape)
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    soft = _disc_alpha(size, radius=305.0, blur=2.0)  # the network's edge, 5 px out
    hard = soft >= 0.5
    backdrop = estimate_backdrop(photo, hard)
    assert backdrop.is_sweep and backdrop.noise > 12.0  # the grain, p95
    averaged = cv2.GaussianBlur(photo, (0, 0), AVERAGED_SIGMA_PX)
    assert float(np.linalg.norm(disc - table.mean(axis=(0, 1)))) < 3.0 * noise_around(averaged, backdrop.low, hard)
    matte = refine_edges(photo, hard, soft, backdrop, hard_is_exact=hard_is_exact)
    far = cv2.dilate((truth > 0.01).astype(np.uint8), np.ones((5, 5), np.uint8)) == 0
    assert (soft[far] > 0.3).sum() > 1000  # the network's edge reaches well past the disc
    assert not (matte.mask.alpha[far] > 0.0).any()
    assert iou(matte.mask.hard, truth >= 0.5) > 0.998


@pytest.mark.parametrize("hard_is_exact", [False, True])
def test_a_white_product_a_few_levels_over_a_light_grey_sweep_is_read_averaged(hard_is_exact: bool) -> None:
    """A white disc 6.7 levels over a light-grey sweep (noise of 2 levels a channel): under the
    12 levels a pixel's reading needs, it kept the network's edge, 3 px wide (IoU 0.980).
    Averaged, the sweep's noise around its local average and the disc's around its own are
    under a level, and the edge is the photo's."""
    size = 1200
    truth = _disc_alpha(size, radius=300.0)
    disc, sweep = (224, 222, 223), 219.0
    photo = _composite(truth, disc, sweep, noise=2.0)
    soft = _disc_alpha(size, radius=303.0, blur=2.0)  # the network's edge, 3 px out
    hard = soft >= 0.5
    assert float(np.linalg.norm(np.float32(disc) - sweep)) < MIN_CONTRAST
    matte = refine_edges(photo, hard, soft, estimate_backdrop(photo, hard), hard_is_exact=hard_is_exact)
    assert iou(hard, truth >= 0.5) < 0.985
    assert iou(matte.mask.hard, truth >= 0.5) > 0.995
    far = cv2.dilate((truth > 0.01).astype(np.uint8), np.ones((5, 5), np.uint8)) == 0
    assert (matte.mask.alpha[far] == 0).all()


@pytest.mark.parametrize(
    ("disc", "sweep", "noise"),
    [((224, 222, 223), 219.0, 2.0), ((232, 232, 232), 218.0, 6.0), ((223, 223, 223), 219.0, 1.5)],
)
def test_an_edge_read_on_the_averaged_photo_keeps_a_ramp_as_narrow_as_the_photo_s(
    disc: tuple[int, int, int], sweep: float, noise: float
) -> None:
    """Averaged over 2 px, a white disc's edge (blurred 1 px by its lens) read as a ramp of partial
    alpha 6 px wide for each pixel of its outline, 0.066 off the truth's alpha around it: a white
    ball's, on held-out seed 5, was under the re-check's outline slope where it met the white, and
    the check's backdrop flowed into the ball. Narrowed by sqrt(2) about the 0.5 line, which
    stays, the ramp is 4 px and 0.03 off."""
    size = 1200
    truth = _disc_alpha(size, radius=300.0)
    photo = _composite(truth, disc, sweep, noise=noise)
    soft = _disc_alpha(size, radius=303.0, blur=2.0)  # the network's edge, 3 px out
    hard = soft >= 0.5
    matte = refine_edges(photo, hard, soft, estimate_backdrop(photo, hard), hard_is_exact=True)
    alpha = matte.mask.alpha
    around = cv2.dilate((truth > 0.01).view(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & (truth <= 0.99)
    assert float(np.abs(alpha - truth)[around].mean()) < 0.035
    assert ((alpha > 0) & (alpha < 1)).sum() < 4.5 * 2 * np.pi * 300
    assert iou(matte.mask.hard, truth >= 0.5) > 0.998


@pytest.mark.parametrize(("step", "sweep", "noise"), [(4.0, 219.0, 1.5), (4.0, 219.0, 1.2), (3.5, 240.0, 1.2)])
def test_a_white_product_3_to_4_levels_over_the_sweep_is_read_on_the_photo_averaged_in_float(
    step: float, sweep: float, noise: float
) -> None:
    """A white disc `step` levels over a light-grey sweep, read on the photo averaged: rounded to
    whole levels, the average read the edge's alpha up to a sixth off and moved its 0.5 line (IoU
    0.9966-0.9986, alpha 0.068-0.070 off the truth's around the edge); in float the edge is the
    photo's."""
    size = 1200
    truth = _disc_alpha(size, radius=300.0)
    photo = _composite(truth, (sweep + step,) * 3, sweep, noise)
    soft = _disc_alpha(size, radius=303.0, blur=2.0)  # the network's edge, 3 px out
    hard = soft >= 0.5
    matte = refine_edges(photo, hard, soft, estimate_backdrop(photo, hard), hard_is_exact=True)
    around = cv2.dilate((truth > 0.01).view(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & (truth <= 0.99)
    assert iou(matte.mask.hard, truth >= 0.5) > 0.9988
    assert float(np.abs(matte.mask.alpha - truth)[around].mean()) < 0.067


def test_a_metal_s_shading_is_noise_on_the_product_side_and_a_flat_product_s_is_not() -> None:
    """The product side's noise, measured on the averaged photo around the product's local
    colour inside its edge: under a level for a flat disc with 2 levels of noise; for a metal
    disc shaded in bands 90 px apart (+-25 levels), more than 3x is needed to read a step of a
    few levels, so its weak edge is not read."""
    size = 1200
    rng = np.random.default_rng(3)
    truth = _disc_alpha(size, radius=300.0)
    hard = truth >= 0.5
    band = band_width(hard.shape)
    interior = cv2.erode(hard.astype(np.uint8), np.ones((2 * band + 1,) * 2, np.uint8)).astype(bool)
    box = _box_around(hard, band)
    columns = np.arange(size, dtype=np.float32)[None, :] * np.ones((size, 1), np.float32)
    found = {}
    for name, tone in (
        ("flat", np.full((size, size), 224.0, np.float32)),
        ("metal", 212.0 + 25.0 * np.sin(columns * 2 * np.pi / 90.0)),
    ):
        product = np.repeat(tone[:, :, None], 3, axis=2)
        photo = product * truth[:, :, None] + 219.0 * (1.0 - truth[:, :, None]) + rng.normal(0.0, 2.0, (size, size, 3))
        photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
        small = cv2.resize(photo, (512, 512), interpolation=cv2.INTER_AREA).astype(np.float32)
        averaged = cv2.GaussianBlur(photo, (0, 0), AVERAGED_SIGMA_PX)
        found[name] = _noise_inside(averaged, _local_colour(small, interior)[:, :, :3], interior, box, band)
    assert found["flat"] < 1.0
    assert found["metal"] > 10.0


def test_classic_mask_finds_a_thin_cable_the_network_missed_and_leaves_the_shadow() -> None:
    truth = _disc_alpha(radius=300)
    cable = np.zeros((SIZE, SIZE), np.uint8)
    cv2.line(cable, (SIZE // 2, SIZE // 2 + 290), (SIZE // 2 + 100, SIZE - 150), 255, 5, cv2.LINE_AA)
    truth = np.maximum(truth, cable.astype(np.float32) / 255.0)
    photo = _composite(truth, (40, 40, 45), 245.0).astype(np.float32)
    # A soft contact shadow on the sweep beside the disc: darker backdrop, same colour.
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    shadow = 1.0 - 0.35 * np.exp(-(((xx - SIZE / 2 + 350) / 120) ** 2 + ((yy - SIZE / 2 - 250) / 60) ** 2))
    photo = np.where(truth[:, :, None] < 0.01, photo * shadow[:, :, None], photo)
    photo = np.clip(photo, 0, 255).astype(np.uint8)
    network = _disc_alpha(radius=300)  # the network saw the disc, not the 5 px cable
    hard, soft = network >= 0.5, network
    backdrop = estimate_backdrop(photo, hard)
    assert backdrop.is_sweep
    product = classic_product(photo, hard, soft, backdrop)
    assert product[SIZE - 200, :].any()  # the cable, far below the disc
    in_shadow = (shadow < 0.8) & (truth < 0.01)
    assert in_shadow.sum() > 1000 and not product[in_shadow].any()
    assert iou(product, truth >= 0.5) > 0.97
    # The edge redone around it: far from the disc's interior, the cable's alpha comes from its
    # own colour, not from the network's edge, which does not see it.
    cable_px = (cable >= 128) & (network < 0.01)
    loose = refine_edges(photo, product, soft, backdrop)
    exact = refine_edges(photo, product, soft, backdrop, hard_is_exact=True)
    assert loose.mask.hard[cable_px].mean() < 0.5
    assert exact.mask.hard[cable_px].mean() > 0.95
    assert float(np.abs(exact.mask.alpha - truth)[cable_px].mean()) < 0.1
    assert iou(exact.mask.hard, truth >= 0.5) > 0.99


@pytest.mark.parametrize("thickness", [7, 14])
def test_a_grey_cable_is_found_and_a_thin_soft_shadow_is_not(thickness: int) -> None:
    """Both shadow-coloured, both thin, both touching the product, neither seen by the network:
    the cable's outline is sharp, the shadow line's a penumbra. A 14 px cable too (a metal
    cable on a table at 2000 px measured 17.6 px, held-out seed 1, and was lost whole at a limit
    of 8 px half-width)."""
    disc = _disc_alpha(radius=250)
    cable = np.zeros((SIZE, SIZE), np.uint8)
    cv2.line(cable, (SIZE // 2, SIZE // 2 + 240), (SIZE // 2 - 150, SIZE - 120), 255, thickness, cv2.LINE_AA)
    cable_alpha = cv2.GaussianBlur(cable.astype(np.float32) / 255.0, (0, 0), 0.8)
    line = np.zeros((SIZE, SIZE), np.uint8)
    cv2.line(line, (SIZE // 2 + 240, SIZE // 2), (SIZE - 100, SIZE // 2 + 200), 255, 5)
    shadow_line = cv2.GaussianBlur(line.astype(np.float32) / 255.0, (0, 0), 2.5)
    truth = np.maximum(disc, cable_alpha)
    photo = _composite(disc, (40, 40, 45), 245.0).astype(np.float32)
    grey = np.float32(245.0 * 0.7)  # a shadow's colour on this sweep
    photo = photo * (1.0 - cable_alpha[:, :, None]) + grey * cable_alpha[:, :, None]
    photo *= 1.0 - 0.45 * shadow_line[:, :, None] * (1.0 - truth[:, :, None])
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    hard, soft = disc >= 0.5, disc
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    cable_only = (cable_alpha > 0.5) & (disc < 0.01)
    line_only = (shadow_line > 0.5) & (disc < 0.01)
    assert cable_only.sum() > 2000 and line_only.sum() > 2000
    assert product[cable_only].mean() > 0.95
    assert product[line_only].mean() < 0.05


def test_a_cable_half_shadow_coloured_half_not_is_found_whole() -> None:
    """A metal cable on a warm sweep: along it, stretches the sweep's colour darkened (a shadow's
    colour) alternate with neutral grey ones (off it). Neither kind alone reaches the product;
    the cable is found only when both count (make bench's 12 MP photo on a table lost it)."""
    disc = _disc_alpha(radius=250)
    sweep = np.array([240.0, 228.0, 210.0], np.float32)
    shadow_grey, neutral_grey = 0.6 * sweep, np.array([128.0, 134.0, 150.0], np.float32)
    start, end = np.array([SIZE // 2, SIZE // 2 + 240]), np.array([SIZE // 2 - 200, SIZE - 100])
    stretches = 40
    photo = np.broadcast_to(sweep, (SIZE, SIZE, 3)).astype(np.float32)
    cover = np.zeros((SIZE, SIZE), np.float32)
    for index in range(stretches):
        one = np.zeros((SIZE, SIZE), np.uint8)
        a, b = start + (end - start) * index / stretches, start + (end - start) * (index + 1) / stretches
        cv2.line(one, tuple(int(v) for v in a), tuple(int(v) for v in b), 255, 7)
        alpha = cv2.GaussianBlur(one.astype(np.float32) / 255.0, (0, 0), 0.8) * (1.0 - cover)
        colour = shadow_grey if index % 2 else neutral_grey
        photo = photo * (1.0 - alpha[:, :, None]) + colour * alpha[:, :, None]
        cover += alpha
    photo = photo * (1.0 - disc[:, :, None]) + np.float32(40.0) * disc[:, :, None]
    photo += np.random.default_rng(3).normal(0.0, 1.5, photo.shape).astype(np.float32)
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    hard, soft = disc >= 0.5, disc
    backdrop = estimate_backdrop(photo, hard)
    product = classic_product(photo, hard, soft, backdrop)
    cable_only = (cover > 0.5) & (disc < 0.01)
    assert cable_only.sum() > 2000
    assert product[cable_only].mean() > 0.95, product[cable_only].mean()
    assert iou(product, (disc >= 0.5) | (cover > 0.5)) > 0.98


def _cable_into_a_contact_shadow(
    cable_grey: float, with_text: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A dark disc on a sweep, its grey cable running down into a broad soft contact shadow, a thin
    soft shadow line off its other side and, given `with_text`, a word printed on the sweep 20 px
    from it: photo, the cable's stretch in the shadow, the shadow's pixels away from the cable, the
    shadow line's pixels (and the word's in the last, given `with_text`)."""
    disc = _disc_alpha(radius=250)
    cable = np.zeros((SIZE, SIZE), np.uint8)
    cv2.line(cable, (SIZE // 2, SIZE // 2 + 240), (SIZE // 2 + 350, SIZE - 90), 255, 9, cv2.LINE_AA)
    cable_alpha = cv2.GaussianBlur(cable.astype(np.float32) / 255.0, (0, 0), 0.8) * (disc < 0.01)
    truth = np.maximum(disc, cable_alpha)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    band = 1.0 - 0.45 * np.exp(-(((xx - SIZE / 2) / 500) ** 2 + ((yy - (SIZE - 150)) / 70) ** 4))
    line = np.zeros((SIZE, SIZE), np.uint8)
    cv2.line(line, (SIZE // 2 - 245, SIZE // 2), (100, SIZE // 2 + 250), 255, 5)
    shadow_line = cv2.GaussianBlur(line.astype(np.float32) / 255.0, (0, 0), 2.5)
    photo = _composite(disc, (40, 40, 45), 240.0).astype(np.float32)
    photo = photo * (1.0 - cable_alpha[:, :, None]) + np.float32(cable_grey) * cable_alpha[:, :, None]
    under = (1.0 - truth)[:, :, None]
    photo *= 1.0 - under * (1.0 - band[:, :, None])
    photo *= 1.0 - 0.45 * shadow_line[:, :, None] * under
    others = shadow_line > 0.5
    if with_text:
        text = np.zeros((SIZE, SIZE), np.uint8)
        corner = (SIZE // 2 + 270, SIZE // 2 - 40)
        cv2.putText(text, "SALE 50%", corner, cv2.FONT_HERSHEY_SIMPLEX, 2.0, 255, 5, cv2.LINE_AA)
        text_alpha = text.astype(np.float32)[:, :, None] / 255.0
        photo = photo * (1.0 - text_alpha) + np.float32(150.0) * text_alpha
        others |= text > 128
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    in_shadow = (cable_alpha > 0.5) & (band < 0.9)
    cable_reach = cv2.dilate((cable_alpha > 0.01).view(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    shadow_only = (band < 0.9) & ~cable_reach
    return photo, in_shadow, shadow_only, others & (truth < 0.01)


@pytest.mark.parametrize("cable_grey", [120.0, 225.0])
def test_a_cable_s_stretch_through_its_contact_shadow_is_found_and_the_shadow_is_not(cable_grey: float) -> None:
    """The colour test joins a cable's stretch in its contact shadow to the shadow, which goes, so
    the stretch is lost (make bench-quality's metal cable on fabric, seed 2026: IoU 0.9368). Against
    the median of what lies around it the stretch stands out with a sharp outline; the shadow, its
    penumbra and a thin soft shadow line do not. A cable darker than the shadow (120), and one
    between the shadow and the sweep (225), which passes through the shadow's tone where it enters
    it: there the two stretches are apart, and the one in the shadow, long, is followed across."""
    photo, in_shadow, shadow_only, line_only = _cable_into_a_contact_shadow(cable_grey)
    soft = _disc_alpha(radius=250)  # the network saw the disc, not the cable
    hard = soft >= 0.5
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    assert in_shadow.sum() > 1500 and shadow_only.sum() > 100_000 and line_only.sum() > 2000
    assert product[in_shadow].mean() < 0.05  # lost by colour
    found = thin_lines(photo, product)
    assert found[in_shadow].mean() > 0.75, found[in_shadow].mean()
    assert not found[shadow_only].any()
    assert not (product | found)[line_only].any()


def _metal_cable_with_a_highlight() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A dark disc on a light sweep (215) and its metal cable: dark (70), then lit brighter than the
    sweep (252) for a tenth of its length, then dark again. Where its tone passes through the
    sweep's on either side of the highlight it stands out of nothing: photo, disc, the cable's
    stretch beyond the highlight, and the pixels a few px or more off the cable."""
    disc = _disc_alpha(radius=250)
    start, end = np.float32([SIZE // 2, SIZE // 2 + 245]), np.float32([SIZE - 120, SIZE - 110])
    length = float(np.hypot(*(end - start)))
    cable = np.zeros((SIZE, SIZE), np.uint8)
    cv2.line(cable, (int(start[0]), int(start[1])), (int(end[0]), int(end[1])), 255, 9, cv2.LINE_AA)
    cable_alpha = cv2.GaussianBlur(cable.astype(np.float32) / 255.0, (0, 0), 0.8) * (disc < 0.01)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    along = np.clip(((xx - start[0]) * (end - start)[0] + (yy - start[1]) * (end - start)[1]) / length**2, 0, 1)
    tone = np.interp(along, [0, 0.3, 0.38, 0.48, 0.56, 1], [70, 70, 252, 252, 70, 70]).astype(np.float32)
    photo = _composite(disc, (40, 40, 45), 215.0).astype(np.float32)
    photo = photo * (1.0 - cable_alpha[:, :, None]) + tone[:, :, None] * cable_alpha[:, :, None]
    beyond = (cable_alpha > 0.5) & (along > 0.6)
    off_cable = ~cv2.dilate((cable_alpha > 0.01).view(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8), disc, beyond, off_cable


def test_a_metal_cable_s_stretch_beyond_its_highlight_is_followed_piece_to_piece() -> None:
    """Held-out seed 3's metal cable on a table lost all of itself beyond the highlight at its bend
    (IoU 0.9177): the lit stretch stands out, but apart from the product and short, and the dark
    stretch beyond it lies more than LINE_GAP_PX from the product. Each is followed from the one
    before it."""
    photo, disc, beyond, off_cable = _metal_cable_with_a_highlight()
    hard = disc >= 0.5
    product = classic_product(photo, hard, disc, estimate_backdrop(photo, hard))
    assert beyond.sum() > 3000
    assert not product[beyond].any()  # lost by colour
    found = thin_lines(photo, product)
    assert found[beyond].mean() > 0.95, found[beyond].mean()
    assert not found[off_cable].any()


def test_letters_printed_beside_a_cable_s_far_stretch_are_not_followed() -> None:
    """Letters are as thin and sharp as a cable's pieces, and each is reached within LINE_GAP_PX of
    the one before it; but a cable carries on its own line across a gap, and a letter is no line
    where it comes nearest (89% of a word under the cable's far stretch, 16 px from it, was taken
    when any piece was followed)."""
    photo, disc, beyond, off_cable = _metal_cable_with_a_highlight()
    text = np.zeros((SIZE, SIZE), np.uint8)
    cv2.putText(text, "USB-C 65W", (1180, 1470), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 255, 3, cv2.LINE_AA)
    word = text.astype(np.float32)[:, :, None] / 255.0 * off_cable[:, :, None]
    photo = np.clip(np.rint(photo * (1.0 - word) + 90.0 * word), 0, 255).astype(np.uint8)
    hard = disc >= 0.5
    product = classic_product(photo, hard, disc, estimate_backdrop(photo, hard))
    found = thin_lines(photo, product)
    letters = (text > 128) & off_cable
    assert letters.sum() > 1500
    assert found[beyond].mean() > 0.95, found[beyond].mean()
    assert not (product | found)[letters].any()


def test_a_word_printed_beside_the_product_is_no_thin_part() -> None:
    """Letters are thin and sharp too, but short: one apart from the product is not followed to it."""
    photo, _, _, others = _cable_into_a_contact_shadow(120.0, with_text=True)
    soft = _disc_alpha(radius=250)
    hard = soft >= 0.5
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    found = thin_lines(photo, product)
    assert others.sum() > 5000
    assert not (product | found)[others].any()


def _disc_strap_and_cast_shadow(
    penumbra: float = 4.0, lens: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A dark disc with a grey strap on a sweep, and the disc's hard cast shadow: photo, truth, strap, cast.

    Strap and shadow are both the sweep's colour, darker; the shadow's edge is a `penumbra` px
    blur of the disc's outline, which, as the strap's, is a `lens` px blur.
    """
    disc = _disc_alpha(radius=300, blur=lens)
    strap = np.zeros((SIZE, SIZE), np.uint8)
    cv2.rectangle(strap, (SIZE // 2 - 40, SIZE // 2 - 600), (SIZE // 2 + 40, SIZE // 2 - 250), 255, -1)
    strap_alpha = cv2.GaussianBlur(strap.astype(np.float32) / 255.0, (0, 0), lens)
    photo = _composite(disc, (40, 40, 45), 245.0).astype(np.float32)
    grey = np.float32(245.0 * 0.7)  # exactly a shadow's colour on this sweep
    photo = photo * (1.0 - strap_alpha[:, :, None]) + grey * strap_alpha[:, :, None]
    truth = np.maximum(disc, strap_alpha)
    # The disc's silhouette thrown sideways on the floor, 30% darker.
    shift = np.float32([[1, 0, 260], [0, 1, 140]])
    cast = cv2.GaussianBlur(cv2.warpAffine(disc, shift, (SIZE, SIZE)), (0, 0), penumbra)
    photo *= 1.0 - 0.3 * cast[:, :, None] * (1.0 - truth[:, :, None])
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8), truth, strap_alpha, cast


@pytest.mark.parametrize(
    ("penumbra", "lens"), [(4.0, 1.0), (1.5, 0.6)], ids=["soft-penumbra", "penumbra-sharp-but-softer-than-the-product"]
)
def test_a_cast_shadow_the_network_is_sure_of_leaves_the_mask_and_a_grey_strap_stays(
    penumbra: float, lens: float
) -> None:
    """A 1.5 px penumbra on a 0.6 px lens blur (1.6 px in all, a hard shadow in a small photo)
    is as sharp as SHARP_EDGE_RATIO allows an outline to be; it is soft beside the product's own
    outline, which is what it is judged against."""
    photo, truth, strap, cast = _disc_strap_and_cast_shadow(penumbra, lens)
    network = np.maximum(truth, cast)  # sure of all three: what u2netp does with a hard cast shadow
    hard, soft = network >= 0.5, network
    backdrop = estimate_backdrop(photo, hard)
    assert backdrop.is_sweep
    product = classic_product(photo, hard, soft, backdrop)
    shadow_only = (cast > 0.5) & (truth < 0.01)
    assert shadow_only.sum() > 50_000
    assert product[shadow_only].mean() < 0.02
    assert product[strap > 0.5].mean() > 0.99
    assert iou(product, truth >= 0.5) > 0.98
    assert iou(hard, truth >= 0.5) < 0.8  # the network's mask, shadow included


def _ring_and_its_shadow(
    colour: tuple[int, int, int], backdrop: float, offset: tuple[int, int], penumbra: float, darkening: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A ring on a sweep and its cast shadow, `offset` px away with a `penumbra` px blur:
    photo, ring's coverage, shadow's coverage, and the shift that threw it."""
    ring = _disc_alpha(radius=300, hole=170)
    photo = _composite(ring, colour, backdrop).astype(np.float32)
    shift = np.array([[1, 0, offset[0]], [0, 1, offset[1]]], np.float32)
    cast = cv2.GaussianBlur(cv2.warpAffine(ring, shift, (SIZE, SIZE)), (0, 0), penumbra)
    photo *= 1.0 - darkening * cast[:, :, None] * (1.0 - ring[:, :, None])
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8), ring, cast, shift


def test_a_ring_shaped_cast_shadow_leaves_with_the_hole_the_network_filled() -> None:
    """A ring's cast shadow is a ring too; the network takes it for product and fills its hole.

    Once the shadow is peeled, the hole it enclosed is bare backdrop and goes as well (the local
    backdrop estimate there sits a few levels low, pulled down by the shadow around it).
    """
    photo, ring, cast, shift = _ring_and_its_shadow((60, 70, 150), 250.0, (300, 120), 4.0, 0.35)
    cast_filled = cv2.warpAffine(_disc_alpha(radius=300), shift, (SIZE, SIZE))
    # Shadow and its hole in the mask, the shadow at less than full confidence (then it is not
    # taken by colour, and it joins the hole into one region), as u2netp had it on bench-quality.
    network = np.maximum(ring, 0.7 * cast_filled)
    hard, soft = network >= 0.5, network
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    shadow_hole = (cast_filled > 0.5) & (cast < 0.01) & (ring < 0.01)
    assert shadow_hole.sum() > 50_000
    assert product[shadow_hole].mean() < 0.02
    assert product[(cast > 0.5) & (ring < 0.01)].mean() < 0.02
    assert product[ring > 0.5].mean() > 0.99
    assert iou(product, ring >= 0.5) > 0.98


def test_on_a_plain_dark_backdrop_the_network_s_mask_loses_bare_backdrop_and_gains_nothing() -> None:
    """Not `grow` (`auto` on a plain backdrop that is not light): a ring's hole the network filled
    is bare backdrop and goes, as on a sweep; a light bar touching the ring beyond the network's
    mask stays out, where the classic mask, which takes what touches the product in another
    colour, takes it in (on a night sky, a rocket's launch pad)."""
    ring = _disc_alpha(radius=300, hole=170)
    bar = np.zeros((SIZE, SIZE), np.float32)
    bar[SIZE // 2 - 20 : SIZE // 2 + 20, SIZE // 2 + 280 : SIZE // 2 + 650] = 1.0
    bar = cv2.GaussianBlur(bar, (0, 0), 1.0) * (1.0 - ring)
    colour = (
        np.array((200, 110, 40), np.float32) * ring[:, :, None]
        + np.array((190, 190, 200), np.float32) * bar[:, :, None]
    )
    photo = colour + 45.0 * (1.0 - ring - bar)[:, :, None]
    photo += np.random.default_rng(7).normal(0.0, 1.5, photo.shape).astype(np.float32)
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    network = np.maximum(ring, 0.7 * _disc_alpha(radius=300))  # the hole filled, unsure
    hard, soft = network >= 0.5, network
    backdrop = estimate_backdrop(photo, hard)
    assert backdrop.is_plain and not backdrop.is_sweep
    kept = classic_product(photo, hard, soft, backdrop, grow=False)
    grown = classic_product(photo, hard, soft, backdrop)
    clear_of_ring = cv2.dilate((ring > 0.01).astype(np.uint8), np.ones((7, 7), np.uint8)) == 0
    hole = (_disc_alpha(radius=170) > 0.5) & clear_of_ring
    assert hole.sum() > 50_000 and hard[hole].all()
    assert kept[hole].mean() < 0.02 and grown[hole].mean() < 0.02
    assert kept[ring > 0.5].mean() > 0.99
    assert not (kept & ~hard).any()
    beyond = (bar > 0.5) & ~hard
    assert beyond.sum() > 10_000
    assert grown[beyond].mean() > 0.95
    assert iou(kept, ring >= 0.5) > 0.98


def test_on_mid_grey_a_metal_s_shading_in_the_backdrop_s_tone_stays_with_it() -> None:
    """A metal disc on a mid-grey backdrop, its shading in stripes that pass through the backdrop's
    own tone, and its cast shadow in the network's mask. Once the shadow is peeled, the strips in
    the backdrop's colour look bare, but they keep the shading's slope where bare backdrop shows
    only its noise: they stay product (a metal blob on mid grey lost 7.8% of its inside)."""
    truth = _disc_alpha(radius=420)
    cols = np.arange(SIZE, dtype=np.float32)[None, :] / SIZE
    shading = 0.55 + 0.6 * (0.5 + 0.5 * np.sin(cols * 40.0 + 1.0))
    metal = (130.0 * shading)[:, :, None] * np.ones(3, np.float32)
    backdrop_level = 130.0
    photo = metal * truth[:, :, None] + backdrop_level * (1.0 - truth[:, :, None])
    cast = cv2.GaussianBlur(np.roll(truth, (60, 90), axis=(0, 1)), (0, 0), 4.0)
    photo *= 1.0 - 0.35 * (cast * (1.0 - truth))[:, :, None]
    photo += np.random.default_rng(7).normal(0.0, 1.5, photo.shape).astype(np.float32)
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    in_tone = (truth > 0.99) & (np.abs(metal[:, :, 0] - backdrop_level) < 6.0)
    assert in_tone.sum() > 20_000  # the stripes in the backdrop's tone
    network = np.maximum(truth, 0.9 * (cast > 0.5))  # the shadow taken in
    hard, soft = network >= 0.5, network
    backdrop = estimate_backdrop(photo, hard)
    assert backdrop.is_plain and not backdrop.is_sweep
    kept = classic_product(photo, hard, soft, backdrop, grow=False)
    assert kept[(cast > 0.5) & (truth < 0.01)].mean() < 0.02  # the shadow went
    assert kept[in_tone].mean() > 0.99
    assert kept[truth > 0.5].mean() > 0.995


def test_a_strip_of_shading_joined_to_a_filled_hole_is_told_from_the_hole_s_soft_rim() -> None:
    """What the network filled and a region test found bare: a hole above a metal plate, joined to
    the strip where the plate's shading passes through the backdrop's tone (no edge where the two
    meet); the strip lies between lighter and darker metal and keeps the shading's slope. A hole
    whose edge on one side is a soft penumbra keeps that slope along it too, but has the hole
    itself on its inner side: it is no strip (a glass ring's hole on fabric, held-out seeds 1 and 9)."""
    size, level = 400, 128.0
    cols = np.arange(size, dtype=np.float32)[None, :].repeat(size, axis=0)
    rows = cols.T
    plate = (rows >= 150) & (rows < 350) & (cols >= 100) & (cols < 300)
    photo = np.full((size, size), level, np.float32)
    photo[plate] = level + 1.0 * (cols[plate] - 200.0)  # a slope of one level a pixel
    hole = (rows >= 50) & (rows < 150) & (cols >= 150) & (cols < 250)
    # Beside the hole's left side, a penumbra: the backdrop darkening over 20 px toward a shadow.
    penumbra = (rows >= 50) & (rows < 150) & (cols >= 130) & (cols < 150)
    photo[penumbra] = level - 1.2 * (150.0 - cols[penumbra])
    shadow = (rows >= 50) & (rows < 150) & (cols >= 100) & (cols < 130)
    photo[shadow] = level - 30.0
    rgb = photo[:, :, None].repeat(3, axis=2) + np.random.default_rng(3).normal(0.0, 1.5, (size, size, 3))
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    back = np.full((size, size, 3), level, np.float32)
    apart = np.sqrt(((rgb.astype(np.float32) - back) ** 2).sum(axis=2)) > 12.0
    strip = plate & ~apart
    found = hole | strip | (penumbra & ~apart)
    outside = ~(plate | hole | penumbra | shadow)
    strips = _shading_strips(found, rgb, back, apart, 8, outside)
    assert strip.sum() > 2_000
    assert strips[strip].mean() > 0.8
    assert strips[hole].mean() < 0.01 and not strips[penumbra].any()  # the average's reach into the hole
    # The hole alone, with its soft side: nothing.
    alone = hole | (penumbra & ~apart)
    assert not _shading_strips(alone, rgb, back, apart, 8, outside).any()


def test_a_ring_s_hole_the_network_filled_goes_though_the_ring_s_shadow_falls_in_it() -> None:
    """The ring's own cast shadow falls half across its hole, and the network, unsure of it, filled
    the hole: one region of bare sweep and shadow, not bare as a whole (a ring on bench-quality's
    seed 1 kept its hole, IoU 0.61). The part in the sweep's own tone goes, then the shadow beside
    it, judged by its penumbra on the sweep."""
    photo, ring, cast, _ = _ring_and_its_shadow((45, 40, 38), 232.0, (60, 90), 4.0, 0.35)
    hole = _disc_alpha(radius=170) > 0.5
    network = np.maximum(ring, 0.7 * _disc_alpha(radius=300))  # the hole filled, unsure
    hard, soft = network >= 0.5, network
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    clear_of_ring = cv2.dilate((ring > 0.01).astype(np.uint8), np.ones((7, 7), np.uint8)) == 0
    assert (hole & (cast > 0.5) & clear_of_ring).sum() > 10_000  # the shadow in the hole
    assert (hole & (cast < 0.01) & clear_of_ring).sum() > 10_000  # bare sweep beside it
    assert product[hole & clear_of_ring].mean() < 0.02
    assert product[ring > 0.5].mean() > 0.99
    assert iou(product, ring >= 0.5) > 0.98


def test_a_wedge_of_cast_shadow_the_mask_cut_from_the_rest_goes_with_the_shadow() -> None:
    """The network took in a wedge of the ring's cast shadow beside it, cut from the rest of the
    shadow by the mask's own edge: the wedge has no outline on the backdrop to judge, only the ring
    and shadow on every other side. It darkens the sweep as the shadow peeled from the hole does,
    and runs on into the same shadow with no edge: it goes too (bench-quality seed 3's glossy ring
    kept such a wedge, 10,969 px)."""
    photo, ring, cast, _ = _ring_and_its_shadow((45, 40, 38), 232.0, (60, 90), 3.0, 0.3)
    rows, cols = np.ogrid[:SIZE, :SIZE]
    radius = np.hypot(rows - SIZE // 2, cols - SIZE // 2)
    angle = np.degrees(np.arctan2(rows - SIZE // 2, cols - SIZE // 2))
    wedge = (radius > 300) & (radius <= 340) & (np.abs(angle - np.degrees(np.arctan2(60, 90))) <= 30)
    assert (cast[wedge] > 0.95).all()  # inside the shadow, clear of its penumbra
    network = np.maximum(np.maximum(ring, 0.7 * _disc_alpha(radius=300)), wedge.astype(np.float32))
    hard, soft = network >= 0.5, network
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    clear_of_ring = cv2.dilate((ring > 0.01).astype(np.uint8), np.ones((7, 7), np.uint8)) == 0
    assert (wedge & clear_of_ring).sum() > 10_000
    assert product[wedge & clear_of_ring].mean() < 0.02
    assert product[ring > 0.5].mean() > 0.99
    assert iou(product, ring >= 0.5) > 0.99


def test_on_fabric_a_ring_s_filled_hole_goes_and_a_smooth_highlight_in_the_fabric_s_tone_stays() -> None:
    """Both are the backdrop's colour, enclosed by the product, and filled by the network. The hole
    shows the fabric's weave; a glossy highlight is smooth, with only the camera's noise."""
    size, centre = 800, 400
    rng = np.random.default_rng(11)
    rows, cols = np.ogrid[:size, :size]
    radius = np.hypot(rows - centre, cols - centre)
    from_highlight = np.hypot(rows - centre, cols - (centre + 170))
    ring = (radius >= 90) & (radius <= 250)
    weave = rng.normal(0.0, 3.0, (size, size, 1)).astype(np.float32)  # the fabric's grain, pixel to pixel
    photo = np.broadcast_to(np.float32(225.0), (size, size, 3)) + weave
    body = np.array([120.0, 120.0, 126.0], np.float32)
    # The highlight: the fabric's tone in its middle (22 px), rising from the ring's grey over 8 px.
    rise = np.clip((30.0 - from_highlight) / 8.0, 0.0, 1.0)[:, :, None]
    metal = body * (1.0 - rise) + 225.0 * rise + rng.normal(0.0, 1.0, (size, size, 3)).astype(np.float32)
    photo[ring] = metal[ring]
    rgb = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    network = _disc_alpha(size, radius=250.0)  # the hole filled
    hard, soft = network >= 0.5, network
    backdrop = estimate_backdrop(rgb, hard)
    assert backdrop.is_sweep
    product = classic_product(rgb, hard, soft, backdrop)
    assert product[radius < 80].mean() < 0.02  # the hole
    assert product[from_highlight < 22].mean() > 0.99  # the highlight
    assert iou(product, ring) > 0.98


def test_a_filled_hole_goes_beside_a_dark_contact_shadow() -> None:
    """The backdrop's grain is measured over the frame: right beside the product, a deep contact
    shadow's curve adds to it (0.32 levels against the hole's 0.24, only camera noise on both),
    and the hole, judged against that, read as too smooth to be bare and stayed."""
    size, centre = 800, 400
    rows, cols = np.ogrid[:size, :size]
    radius = np.hypot(rows - centre, cols - centre)
    ring = (radius >= 90) & (radius <= 250)
    photo = np.full((size, size, 3), 228.0, np.float32)
    beyond = np.clip(radius - 250.0, 0.0, None)
    photo -= (100.0 * np.exp(-(beyond**2) / (2 * 12.0**2)) * (radius > 250))[:, :, None]
    photo[ring] = (70.0, 90.0, 160.0)
    photo += np.random.default_rng(5).normal(0.0, 0.6, (size, size, 1)).astype(np.float32)
    rgb = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    network = _disc_alpha(size, radius=250.0)  # the hole filled
    hard, soft = network >= 0.5, network
    product = classic_product(rgb, hard, soft, estimate_backdrop(rgb, hard))
    assert product[radius < 80].mean() < 0.02
    assert iou(product, ring) > 0.98


def test_behind_a_peeled_shadow_bare_table_goes_and_a_white_product_stays() -> None:
    """Where a shadow pulled the backdrop's estimate SHADOW_PULL_LIMIT low, a patch of bare wooden
    table reads 4 levels above it, and a white product 10-17 levels: as near as the table's
    grain makes bare table look. The product's neutral colour (gain over 1.02) tells it apart."""
    rng = np.random.default_rng(3)
    table = np.array([226.0, 219.0, 209.0], np.float32)
    grain = rng.normal(0.0, 9.0, (300, 400, 1)).astype(np.float32)  # luminance texture
    estimate = np.broadcast_to(table - SHADOW_PULL_LIMIT, (300, 400, 3)).astype(np.float32)
    photo = np.broadcast_to(table, (300, 400, 3)) + grain
    hole = np.zeros((300, 400), bool)
    hole[40:140, 40:140] = True
    white = np.zeros_like(hole)
    white[160:280, 200:380] = True
    photo[white] = np.array([229.0, 225.0, 226.0], np.float32) + grain[white]
    rgb = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    small = cv2.resize(rgb, (40, 30), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = estimate[::10, ::10].copy()
    backdrop = Backdrop(low, small, low, (300, 400), noise=16.0, typical=9.8, luma=220.0, share=0.8)
    found = _backdrop_behind_shadow(hole | white, rgb, estimate, backdrop, band=7, outside=~(hole | white))
    assert np.array_equal(found, hole)


def _metal_disc_with_a_contour_and_a_hole(
    disc: tuple[int, int],
    contour_at: tuple[int, int, int],
    hole_at: tuple[int, int],
    noise: float,
    typical: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, Backdrop]:
    """A metal disc (centre column, radius) at 0.7 of a light-grey sweep, on a 400 px frame, whose
    shading passes through the sweep's tone in a ring (centre column, inner and outer radius)
    around a highlight 1.2 times as bright, and a round hole (centre column, radius) showing the
    sweep: the photo, the product, the ring, the hole, the sweep's estimate and its Backdrop."""
    rng = np.random.default_rng(4)
    sweep = np.array([200.0, 200.0, 205.0], np.float32)
    rows, cols = np.ogrid[:400, :400]
    radius = np.hypot(rows - 200, cols - contour_at[0])
    product = np.hypot(rows - 200, cols - disc[0]) < disc[1]
    contour = (radius >= contour_at[1]) & (radius < contour_at[2])
    hole = np.hypot(rows - 200, cols - hole_at[0]) < hole_at[1]
    photo = np.broadcast_to(sweep, (400, 400, 3)).copy()
    photo[product] = sweep * 0.7
    photo[radius < contour_at[1]] = np.minimum(sweep * 1.2, 255.0)
    photo[contour | hole] = sweep
    rgb = np.clip(np.rint(photo + rng.normal(0.0, noise, (400, 400, 1))), 0, 255).astype(np.uint8)
    estimate = np.broadcast_to(sweep, (400, 400, 3)).astype(np.float32)
    small = cv2.resize(rgb, (40, 40), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = estimate[::10, ::10].copy()
    backdrop = Backdrop(low, small, low, (400, 400), noise=noise, typical=typical, luma=200.0, share=0.6)
    return rgb, product, contour, hole, estimate, backdrop


def test_a_highlights_contour_in_the_backdrops_tone_is_no_hole() -> None:
    """A metal disc on light grey whose shading passes through the sweep's own colour around a
    highlight: a ring 6 px wide, the highlight inside it brighter, the metal outside darker. The
    ring, enclosed by the product, stays, and with it the highlight; a hole of the same colour 50
    px across, beside it, goes (a metal blob lost its highlight, 6.7% of it, bench-quality seed
    1). The network's thin overshoot around the whole product meets what lies outside it, and is
    no such ring."""
    rgb, product, contour, hole, estimate, backdrop = _metal_disc_with_a_contour_and_a_hole(
        (200, 150), (200, 40, 46), (300, 25), noise=2.0, typical=1.6
    )
    found = _backdrop_behind_shadow(contour | hole, rgb, estimate, backdrop, band=7, outside=~product)
    assert not found[contour].any()
    assert found[hole].mean() > 0.95
    found = _backdrop_behind_shadow(contour | hole, rgb, estimate, backdrop, band=7, outside=np.zeros_like(product))
    assert not found[contour].any()
    rows, cols = np.ogrid[:400, :400]
    radius = np.hypot(rows - 200, cols - 200)
    overshoot = (radius >= 150) & (radius < 155)
    assert _contour_ring(contour, 7, ~product)
    assert not _contour_ring(overshoot, 7, radius >= 155)


def _bag_with_a_handle(bag: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A light bag a few levels over a light-grey sweep, with an arched handle 12 px thick, and a
    network's mask that filled the handle's hole: the photo, the truth, the hole and that mask."""
    size = 800
    sweep = np.array([204.0, 204.0, 206.0], np.float32)
    body, arch, outer = (np.zeros((size, size), np.uint8) for _ in range(3))
    cv2.rectangle(body, (200, 420), (600, 700), 255, -1)
    cv2.ellipse(arch, (400, 420), (140, 200), 0, 180, 360, 255, 12)
    cv2.ellipse(outer, (400, 420), (146, 206), 0, 180, 360, 255, -1)
    truth = (body > 0) | (arch > 0)
    hole = (outer > 0) & ~truth
    photo = np.broadcast_to(sweep, (size, size, 3)).copy()
    photo[body > 0] = bag
    photo[arch > 0] = np.array(bag, np.float32) + 2.0
    noise = np.random.default_rng(11).normal(0.0, 0.6, photo.shape)
    rgb = np.clip(np.rint(photo + noise), 0, 255).astype(np.uint8)
    network = cv2.GaussianBlur(((body > 0) | (outer > 0)).astype(np.float32), (0, 0), 2.0)
    return rgb, truth, hole, network


def test_the_sweep_in_a_light_bag_s_handle_goes_though_bag_and_hole_are_one_region() -> None:
    """The bag is within the classic threshold of the sweep, so bag, handle and the sweep the
    network filled inside the handle are one region of the candidate mask, not bare as a whole
    and open to the outside through the bag: the hole stayed whole (a light-grey bag on held-out
    seed 5, IoU 0.79). Its part in the sweep's tone, enclosed and ringed by the handle's and the
    bag's outline, goes; the bag and its handle stay."""
    rgb, truth, hole, network = _bag_with_a_handle((210.0, 209.0, 206.0))
    hard = network >= 0.5
    backdrop = estimate_backdrop(rgb, hard)
    assert np.linalg.norm(np.array([210.0, 209.0, 206.0]) - (204.0, 204.0, 206.0)) < classic_threshold(backdrop)
    product = classic_product(rgb, hard, network, backdrop)
    assert product[hole].mean() < 0.1  # before: 1.0; a rim short of the outline, redone by the edge step
    matte = refine_edges(rgb, product, network, estimate_backdrop(rgb, product))
    assert matte.mask.alpha[hole].mean() < 0.03
    assert matte.mask.hard[truth].mean() > 0.999
    assert iou(matte.mask.hard, truth) > 0.99


def test_a_white_face_in_the_sweep_s_tone_shading_into_the_product_is_no_hole() -> None:
    """A white disc whose middle, 120 px across, is the light-grey sweep's own tone, shading over
    120 px to 10 levels lighter at its rim: enclosed by the product and bare-looking on average,
    but with no sharp step around it, it stays."""
    size = 800
    sweep = np.array([204.0, 204.0, 206.0], np.float32)
    rows, cols = np.ogrid[:size, :size]
    radius = np.hypot(rows - 400, cols - 400)
    disc = radius < 250
    lighter = 10.0 * np.clip((radius - 60.0) / 120.0, 0.0, 1.0)
    photo = np.broadcast_to(sweep, (size, size, 3)).copy()
    photo[disc] = (sweep + lighter[:, :, None])[disc]
    noise = np.random.default_rng(11).normal(0.0, 0.6, photo.shape)
    rgb = np.clip(np.rint(photo + noise), 0, 255).astype(np.uint8)
    network = cv2.GaussianBlur(disc.astype(np.float32), (0, 0), 2.0)
    hard = network >= 0.5
    backdrop = estimate_backdrop(rgb, hard)
    face = radius < 60
    candidate = hard & (lighter < 6.0)  # within the classic threshold of the sweep
    back = cv2.resize(backdrop.low, (size, size), interpolation=cv2.INTER_LINEAR)
    assert _bare_on_average(rgb, back, candidate, backdrop, 8)[face].mean() > 0.95
    assert not _holes_in_the_sweeps_tone(candidate, hard, rgb, back, backdrop, 8).any()
    product = classic_product(rgb, hard, network, backdrop)
    assert product[disc].mean() > 0.99


@pytest.mark.parametrize(("inside", "estimate", "found"), [(255.0, 251.0, True), (253.0, 249.0, False)])
def test_a_blown_white_hole_is_bare_though_a_shadow_pulled_the_sweep_s_estimate_down(
    inside: float, estimate: float, found: bool
) -> None:
    """A white mug's handle on a blown-white sweep: beside the mug's contact shadow the sweep's
    estimate lies 4 levels under 255, and the hole, 255, read 4 levels lighter than bare sweep
    and stayed (held-out seed 5, IoU 0.92). Blown white is as light as the sweep can show. A face
    4 levels lighter than the estimate that is not blown is not bare. The handle, 21 levels off
    the sweep, is apart from it by colour: the hole alone is the candidate."""
    rng = np.random.default_rng(2)
    rows, cols = np.ogrid[:400, :400]
    radius = np.hypot(rows - 200, cols - 200)
    handle = (radius >= 60) & (radius < 90)
    hole = radius < 60
    photo = np.full((400, 400, 3), 255.0, np.float32)
    photo[handle] = 234.0
    photo[hole] = inside
    noise = rng.normal(0.0, 0.4, (400, 400, 1)) * (photo < 255.0)
    rgb = np.clip(np.rint(photo + noise), 0, 255).astype(np.uint8)
    back = np.full((400, 400, 3), estimate, np.float32)
    low = back[::10, ::10].copy()
    small = cv2.resize(rgb, (40, 40), interpolation=cv2.INTER_AREA).astype(np.float32)
    backdrop = Backdrop(low, small, low, (400, 400), noise=0.4, typical=0.3, luma=estimate, share=0.6)
    network = radius < 90
    holes = _holes_in_the_sweeps_tone(hole, network, rgb, back, backdrop, band=8)
    assert (holes[hole].mean() > 0.95) == found
    assert not holes[handle].any()


def test_a_highlight_s_contour_in_the_sweep_s_tone_is_no_hole_and_a_hole_as_wide_is() -> None:
    """A metal disc whose shading passes through the sweep's tone in a ring 18 px wide around a
    highlight: enclosed, sharp-edged where the metal is steep, and as wide as a hole can be, but a
    contour line around an island of product, it stays (a metal blob on seed 2026 lost its
    highlight, 0.89% of it, and 0.0086 IoU). A round hole 60 px across beside it goes."""
    rgb, product, contour, hole, estimate, backdrop = _metal_disc_with_a_contour_and_a_hole(
        (200, 180), (170, 40, 58), (310, 30), noise=1.0, typical=0.8
    )
    found = _holes_in_the_sweeps_tone(contour | hole, product, rgb, estimate, backdrop, band=12)
    assert not found[contour].any()
    assert found[hole].mean() > 0.9


def _tinted_ring_on_table(side: int, outer: float) -> tuple[np.ndarray, np.ndarray, Backdrop, np.ndarray, np.ndarray]:
    """A cool white ring (radius 80 to `outer`) on a warm grainy table, as bright as the table,
    centred in a `side` px square: photo, the table's colour as the local estimate, its Backdrop,
    each pixel's distance from the centre, and the ring."""
    rng = np.random.default_rng(5)
    table = np.array([236.0, 230.0, 214.0], np.float32)
    grain = rng.normal(0.0, 9.0, (side, side, 1)).astype(np.float32)
    photo = np.broadcast_to(table, (side, side, 3)) + grain
    rows, cols = np.ogrid[:side, :side]
    radius = np.hypot(rows - side / 2, cols - side / 2)
    ring = (radius >= 80) & (radius <= outer)
    photo[ring] = table + np.array([-7.0, 0.0, 9.0], np.float32) + grain[ring]  # cool: 11.4 levels off
    rgb = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    estimate = np.broadcast_to(table, (side, side, 3)).astype(np.float32)
    small = cv2.resize(rgb, (side // 10, side // 10), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = estimate[::10, ::10].copy()
    backdrop = Backdrop(low, small, low, (side, side), noise=16.0, typical=9.8, luma=225.0, share=0.8)
    return rgb, estimate, backdrop, radius, ring


def test_behind_a_peeled_shadow_a_tinted_white_ring_stays_and_its_hole_of_bare_table_goes() -> None:
    """A cool white ring on a warm table, as bright as the table, joined into one region with its
    hole (bare table the network filled). Its colour is off the table's by less than the grain
    makes bare table look, pixel by pixel, but by the same tint everywhere, where bare table's
    offsets average to nothing: the ring stays, and the hole, judged apart from it, goes."""
    rgb, estimate, backdrop, radius, ring = _tinted_ring_on_table(400, outer=170)
    hole = radius < 80
    found = _backdrop_behind_shadow(ring | hole, rgb, estimate, backdrop, band=7, outside=radius > 170)
    assert not found[ring & (radius > 81)].any()  # the line between them drawn to a pixel
    assert found[hole].mean() > 0.95 and not found[radius > 170].any()


def test_a_tinted_white_ring_stays_when_the_bare_table_around_it_is_most_of_its_region() -> None:
    """The same ring and hole, in one region with a wide apron of bare table around the ring (the
    network overshooting onto a textured table): four fifths of the region is bare, so its
    medians are the table's, but the ring keeps its tint over far more than a band's square. Only
    the bare parts go (the whole region went, and a 2000 px photo lost half its ring)."""
    rgb, estimate, backdrop, radius, ring = _tinted_ring_on_table(600, outer=150)
    region = radius <= 280
    assert (region & ~ring).sum() > 0.75 * region.sum()
    found = _backdrop_behind_shadow(region, rgb, estimate, backdrop, band=7, outside=~region)
    assert not found[ring & (radius > 81) & (radius < 149)].any()
    assert found[region & ~ring & ((radius < 79) | (radius > 151))].mean() > 0.95


def test_the_first_look_keeps_a_tinted_white_ring_the_network_ran_on_from_onto_the_table() -> None:
    """The same ring, apron and hole as the network's sure mask, with no shadow peeled: the first
    look's test for bare backdrop (a region's mean distance and grain) took the whole region, ring
    and all, as the table (bench-quality seed 5 lost 38% of a white ring on a wavy table). The
    ring's tint stays out of it; the hole and the apron go."""
    rgb, _, backdrop, radius, ring = _tinted_ring_on_table(600, outer=150)
    region = radius <= 280
    product = classic_product(rgb, region, np.where(region, 0.99, 0.01).astype(np.float32), backdrop)
    assert product[ring].mean() > 0.99
    assert not product[(radius < 78) | (radius > 152)].any()


@pytest.mark.parametrize(("tint", "kept"), [(3.0, False), (6.0, True)])
def test_only_a_tint_of_4_levels_or_more_marks_a_part_of_a_bare_region_as_product(tint: float, kept: bool) -> None:
    """A disc tinted `tint` levels off a smooth, lightly noisy light-grey sweep, in one region with
    the sweep around it: over the bare tint (1.75 levels here) either way, but 3 levels is what a
    JPEG's chroma blocks carry across a faint white product's edge (seed 3's white bottle, 2.0-2.8),
    and the part goes with the region; 6 levels stays."""
    side = 300
    rng = np.random.default_rng(3)
    sweep = np.array([226.0, 228.0, 230.0], np.float32)
    rows, cols = np.ogrid[:side, :side]
    disc = np.hypot(rows - side / 2, cols - side / 2) <= 80
    photo = np.broadcast_to(sweep, (side, side, 3)) + rng.normal(0.0, 1.5, (side, side, 3))
    photo[disc] += np.array([tint, 0.0, -tint], np.float32) / np.sqrt(2.0)  # off the sweep's colour, not its level
    rgb = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    back = np.broadcast_to(sweep, (side, side, 3)).astype(np.float32)
    low = back[::10, ::10].copy()
    backdrop = Backdrop(low, low.copy(), low, (side, side), noise=2.5, typical=1.5, luma=228.0, share=0.8)
    tinted = _tinted_parts(np.ones((side, side), bool), rgb, back, backdrop, band=7)
    inner = np.hypot(rows - side / 2, cols - side / 2) <= 70
    assert tinted[inner].mean() > 0.99 if kept else not tinted.any()
    assert not tinted[np.hypot(rows - side / 2, cols - side / 2) > 90].any()


def _u_in_a_shadow_s_tail() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A grey U on a light-grey sweep over a wide contact shadow, whose tail dims the sweep between
    its arms by up to 20 levels, 3 at the median: the photo, the truth, how many levels each pixel
    of the sweep is dimmed."""
    u = np.zeros((SIZE, SIZE), np.uint8)
    for corner, far in (((500, 400), (540, 1100)), ((1060, 400), (1100, 1100)), ((500, 1060), (1100, 1100))):
        cv2.rectangle(u, corner, far, 255, -1)
    truth = cv2.GaussianBlur(u.astype(np.float32) / 255.0, (0, 0), 1.0)
    blob = np.zeros((SIZE, SIZE), np.float32)
    cv2.ellipse(blob, (800, 1130), (420, 60), 0, 0, 360, 1.0, -1)
    blob = cv2.GaussianBlur(blob, (0, 0), 200.0)
    dimming = 0.1 * blob / blob.max()
    sweep = np.float32([222, 220, 218]) * (1.0 - dimming)[:, :, None]
    photo = sweep * (1.0 - truth[:, :, None]) + np.float32([150, 150, 156]) * truth[:, :, None]
    return _with_noise(photo), truth, 220.0 * dimming


def test_sweep_the_network_filled_between_a_product_s_arms_goes_though_a_shadow_s_tail_dims_it() -> None:
    """The network filled the U and took in the top of its contact shadow, unsure of it: the
    region between the arms is not bare as a whole (the shadow's core and the dimmed sweep raise
    its distance from the backdrop), but its part near the sweep's colour runs on, with no step,
    into the sweep outside the mask (a grey cable's filled loops on bench-quality, IoU 0.64)."""
    photo, truth, dimmed = _u_in_a_shadow_s_tail()
    hard = np.zeros((SIZE, SIZE), bool)
    hard[390:1150, 490:1111] = True
    soft = np.where(hard, 0.95, 0.0).astype(np.float32)
    soft[1111:1150] = 0.6
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    between = np.zeros((SIZE, SIZE), bool)
    between[420:1040, 560:1040] = True
    faint = between & (dimmed < 6.0)
    assert faint.sum() > 150_000
    assert product[faint].mean() < 0.01
    assert product[truth >= 0.5].mean() > 0.99


def test_a_white_product_a_level_and_a_half_over_the_sweep_does_not_run_on_into_it() -> None:
    """The network's mask overshoots the product by 4 px of bare sweep, which does run on into the
    sweep outside: the product's step is measured past that rim."""
    truth = _disc_alpha(radius=300)
    photo = _with_noise(np.repeat(231.5 * truth[:, :, None] + 230.0 * (1.0 - truth[:, :, None]), 3, axis=2))
    hard = cv2.dilate((truth >= 0.5).astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    soft = np.where(hard, 0.95, 0.0).astype(np.float32)
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    assert product[truth >= 0.5].mean() > 0.98


def test_a_faint_product_the_network_cut_through_keeps_the_part_it_saw() -> None:
    """A greenish white disc 2 levels under a light-grey sweep, and its cast shadow: the network,
    unsure, took in the left half of both. The half disc meets the rest of the disc outside the
    mask with no step, but along most of its rim: it is no sweep filled between a product's
    parts (seed 3 of bench-quality lost the whole of such a star, its shadow kept)."""
    truth = _disc_alpha(radius=350)
    shift = np.float32([[1, 0, -150], [0, 1, 120]])
    cast = cv2.GaussianBlur(cv2.warpAffine(truth, shift, (SIZE, SIZE)), (0, 0), 3.0)
    floor = np.float32([232, 232, 233]) * (1.0 - 0.3 * (cast * (1.0 - truth)))[:, :, None]
    photo = _with_noise(np.float32([228, 231, 230]) * truth[:, :, None] + floor * (1.0 - truth[:, :, None]))
    seen = (truth >= 0.5) | (cast >= 0.5)
    seen[:, SIZE // 2 :] = False
    hard = cv2.dilate(seen.view(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    soft = np.where(hard, 0.6, 0.0).astype(np.float32)
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    assert product[(truth >= 0.5) & hard].mean() > 0.98


def test_a_thin_shadow_seen_through_a_ring_leaves_though_its_penumbra_is_most_of_it() -> None:
    """The ring's cast shadow shows outside it and, as a thin crescent, through its hole. The
    crescent is judged by its inside: with its penumbra it spreads over many shades of grey."""
    photo, ring, cast, _ = _ring_and_its_shadow((110, 40, 120), 245.0, (25, 30), 5.0, 0.3)
    network = np.maximum(_disc_alpha(radius=300), cast)  # the hole filled, the shadow sure
    hard, soft = network >= 0.5, network
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    clear_of_ring = cv2.dilate((ring > 0.01).astype(np.uint8), np.ones((7, 7), np.uint8)) == 0
    through_hole = (_disc_alpha(radius=170) > 0.5) & (cast > 0.5) & clear_of_ring
    assert through_hole.sum() > 5_000
    assert product[through_hole].mean() < 0.02
    assert product[ring > 0.5].mean() > 0.99
    assert iou(product, ring >= 0.5) > 0.97


def _grey_on_sweep(alpha: np.ndarray, tone: float) -> np.ndarray:
    """A product `tone` times the 245 sweep's brightness (a shadow's colour), float32 RGB, no noise."""
    photo = np.full((SIZE, SIZE, 3), 245.0, np.float32)
    return photo * (1.0 - alpha[:, :, None]) + np.float32(245.0 * tone) * alpha[:, :, None]


def _with_noise(photo: np.ndarray) -> np.ndarray:
    photo = photo + np.random.default_rng(7).normal(0.0, 1.5, photo.shape).astype(np.float32)
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8)


def _classic_beside_shadow(photo: np.ndarray, truth: np.ndarray, cast: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The classical mask of `photo` when the network is sure of the product and its cast shadow
    (what u2netp does with a hard one), and the pixels of the shadow alone."""
    network = np.maximum(truth, cast)
    hard = network >= 0.5
    product = classic_product(photo, hard, network, estimate_backdrop(photo, hard))
    return product, (cast > 0.5) & (truth < 0.01)


@pytest.mark.parametrize(
    ("tone", "darkening"),
    [(0.75, 0.4), (0.76, 0.22)],
    ids=["cut-along-the-sharp-edge", "split-where-no-edge-is-sharp"],
)
def test_a_grey_product_touching_its_own_shadow_is_parted_from_it(tone: float, darkening: float) -> None:
    """Product and shadow both the sweep's colour, darker, and touching: one shadow-coloured region.

    With the shadow 0.4 darker the product's outline through it is a sharp edge, and the region
    is cut along it; 0.22 darker, product and shadow are 5 levels apart and no edge inside is
    strong enough to cut, so the piece, soft outline on the shadow's side and sharp on the
    product's, is split between the two. Either way the piece with the penumbra outline goes.
    """
    disc = _disc_alpha(radius=300)
    shift = np.array([[1, 0, 260], [0, 1, 140]], np.float32)
    cast = cv2.GaussianBlur(cv2.warpAffine(disc, shift, (SIZE, SIZE)), (0, 0), 4.0)
    photo = _grey_on_sweep(disc, tone) * (1.0 - darkening * cast[:, :, None] * (1.0 - disc[:, :, None]))
    product, shadow_only = _classic_beside_shadow(_with_noise(photo), disc, cast)
    assert shadow_only.sum() > 100_000
    assert product[shadow_only].mean() < 0.02
    assert product[disc > 0.5].mean() > 0.99
    assert iou(product, disc >= 0.5) > 0.98


def test_on_fabric_a_shadow_in_the_product_s_own_tone_is_parted_from_it_by_its_weave() -> None:
    """A grey product and its cast shadow in the same tone, touching, on a woven cloth: no step in
    brightness between them, but the shadow shows the cloth's weave and the product is smooth.
    The shadow goes; the product stays. Its penumbra, on the weave, is still judged soft (a
    light-grey blob on fabric, bench-quality seed 11, kept its whole shadow: IoU 0.56)."""
    rows, cols = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    period = 7.0
    weave = 5.0 * np.sin(cols * 2 * np.pi / period) * np.sin(rows * 2 * np.pi / period)
    cloth = (228.0 + weave)[:, :, None] + np.array([1.0, 0.0, -1.0], np.float32)
    disc = _disc_alpha(radius=300)
    shift = np.array([[1, 0, 260], [0, 1, 140]], np.float32)
    cast = cv2.GaussianBlur(cv2.warpAffine(disc, shift, (SIZE, SIZE)), (0, 0), 2.4)
    darkening = 0.2
    grey = np.float32(228.0 * (1.0 - darkening)) + np.array([1.0, 0.0, -1.0], np.float32)
    photo = cloth * (1.0 - darkening * cast[:, :, None])
    photo = photo * (1.0 - disc[:, :, None]) + grey * disc[:, :, None]
    _, jpeg = cv2.imencode(".jpg", _with_noise(photo), [cv2.IMWRITE_JPEG_QUALITY, 90])
    product, shadow_only = _classic_beside_shadow(cv2.imdecode(jpeg, cv2.IMREAD_UNCHANGED), disc, cast)
    assert shadow_only.sum() > 100_000
    assert product[shadow_only].mean() < 0.02
    assert product[disc > 0.5].mean() > 0.99
    assert iou(product, disc >= 0.5) > 0.98


@pytest.mark.parametrize(("tone", "blur"), [(0.6, 4.0), (0.75, 3.0), (0.75, 4.0), (0.9, 6.0)])
def test_a_grey_product_soft_on_one_side_is_not_split(tone: float, blur: float) -> None:
    """Half the outline soft (out of focus there), half sharp, no shadow: both sides of a split
    would be one tone, so the product stays whole."""
    columns = np.arange(SIZE)[None, :]
    disc = np.where(columns < SIZE // 2, _disc_alpha(radius=300, blur=blur), _disc_alpha(radius=300))
    photo = _with_noise(_grey_on_sweep(disc.astype(np.float32), tone))
    hard = disc >= 0.5
    product = classic_product(photo, hard, disc, estimate_backdrop(photo, hard))
    assert iou(product, hard) > 0.995


def test_out_of_focus_nothing_is_peeled() -> None:
    """Every outline as soft as the shadow's: a grey part and a shadow look alike, so both stay."""
    photo, truth, strap, cast = _disc_strap_and_cast_shadow()
    photo = cv2.GaussianBlur(photo, (0, 0), 4.0)
    network = np.maximum(truth, cast)
    hard, soft = network >= 0.5, network
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    assert product[strap > 0.5].mean() > 0.99
    assert product[(cast > 0.5) & (truth < 0.01)].mean() > 0.9


def test_a_small_grey_product_merged_with_a_long_shadow_is_never_peeled_away() -> None:
    """One grey tone, soft-edged mostly: it looks like a shadow, but peeling it would leave nothing."""
    disc = _disc_alpha(radius=120)
    grey = np.float32(245.0 * 0.7)
    photo = np.full((SIZE, SIZE, 3), 245.0, np.float32) * (1.0 - disc[:, :, None]) + grey * disc[:, :, None]
    # A dark cap on top, a sharp outline that is not shadow-coloured: the photo is in focus.
    cap = np.zeros((SIZE, SIZE), np.float32)
    cv2.rectangle(cap, (SIZE // 2 - 30, SIZE // 2 - 160), (SIZE // 2 + 30, SIZE // 2 - 100), 1.0, -1)
    photo = photo * (1.0 - cap[:, :, None]) + np.float32(40.0) * cap[:, :, None]
    disc = np.maximum(disc, cap)
    shear = np.float32([[4.0, 0, -3 * SIZE / 2 + 100], [0, 1, 0]])  # stretched 4x sideways from the disc
    cast = cv2.GaussianBlur(cv2.warpAffine(disc, shear, (SIZE, SIZE)), (0, 0), 4.0)
    photo *= 1.0 - 0.3 * cast[:, :, None] * (1.0 - disc[:, :, None])
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    network = np.maximum(disc, cast)
    hard, soft = network >= 0.5, network
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    assert product[disc > 0.5].mean() > 0.99


def _metal_and_its_shadow(
    crest: float, period: float, offset: tuple[int, int], darkening: float, soft_left: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A metal disc on a 245 sweep, shaded in vertical stripes from 0.35 to `crest` of the sweep's
    brightness every `period` px, casting a hard shadow `offset` (columns, rows) px away that
    darkens the sweep by `darkening` (none at 0), its left half out of focus by `soft_left` px:
    photo, disc's coverage, shadow's coverage. With `crest` near 1 - `darkening` a light stripe
    is the shadow's colour where the two meet."""
    disc = _disc_alpha(radius=330)
    if soft_left:
        disc = np.where(np.arange(SIZE)[None, :] < SIZE // 2, _disc_alpha(radius=330, blur=soft_left), disc)
    columns = np.arange(SIZE, dtype=np.float32)[None, :] - SIZE / 2
    tone = 0.35 + (crest - 0.35) * (0.5 + 0.5 * np.cos(2 * np.pi * columns / period))
    photo = np.full((SIZE, SIZE, 3), 245.0, np.float32) * (1.0 - disc[:, :, None])
    photo += (245.0 * tone * disc)[:, :, None]
    shift = np.float32([[1, 0, offset[0]], [0, 1, offset[1]]])
    cast = cv2.GaussianBlur(cv2.warpAffine(disc.astype(np.float32), shift, (SIZE, SIZE)), (0, 0), 3.0)
    photo *= 1.0 - darkening * cast[:, :, None] * (1.0 - disc[:, :, None])
    return _with_noise(photo), disc, cast


# The striped metal disc and its cast shadow: light stripes of the shadow's tone where they meet it.
STRIPED_METAL_CASES = pytest.mark.parametrize(
    ("crest", "period", "offset"),
    [(0.8, 260.0, (90, 70)), (0.8, 400.0, (90, 70)), (0.82, 180.0, (90, 70)), (0.8, 260.0, (40, 30))],
    ids=["stripes-260px", "stripes-400px", "stripes-180px", "shadow-close-by"],
)


@STRIPED_METAL_CASES
def test_a_metal_product_merged_with_its_cast_shadow_is_parted_from_it(
    crest: float, period: float, offset: tuple[int, int]
) -> None:
    """The metal's light stripe has the shadow's tone where it meets the shadow, so the split
    floods the shadow's side into it and that side does not darken the sweep evenly: what
    darkens it by the shadow's factor, bounded by the penumbra and the product's sharp outline,
    goes; the band of the stripe, bounded by shading that changes gradually, stays."""
    photo, disc, cast = _metal_and_its_shadow(crest, period, offset, darkening=0.2)
    product, shadow_only = _classic_beside_shadow(photo, disc, cast)
    assert shadow_only.sum() > 30_000
    assert product[shadow_only].mean() < 0.06
    assert product[disc > 0.5].mean() > 0.998
    assert iou(product, disc >= 0.5) > 0.98


@STRIPED_METAL_CASES
def test_no_tab_of_the_shadow_stays_where_a_metal_s_stripe_runs_out_across_its_outline(
    crest: float, period: float, offset: tuple[int, int]
) -> None:
    """Where the stripe in the shadow's tone meets the outline no edge shows, and the stripe's
    gradual sides, held on to past the outline, kept tabs of the shadow beyond it (522-3,018 px
    here; 9,739 impure output px on bench-quality seed 2026's metal blob). The outline across
    the stripe's end is taken from the disc's beside it, and the shadow past it goes."""
    photo, disc, cast = _metal_and_its_shadow(crest, period, offset, darkening=0.2)
    product, shadow_only = _classic_beside_shadow(photo, disc, cast)
    kept = product & shadow_only
    assert np.count_nonzero(kept) < 0.005 * np.count_nonzero(shadow_only)
    assert product[disc > 0.5].mean() > 0.998


def test_a_speck_just_off_the_shadow_s_tone_holds_none_of_the_shadow_around_it() -> None:
    """A speck of dust 5 px across, 8 levels lighter than the shadow it lies in: too faint to be a
    sharp edge, off the shadow's tone, so a hole in it whose rim read as a gradual change of tone
    and held on to the shadow nearer it than the penumbra (12% of the shadow kept)."""
    photo, disc, cast = _metal_and_its_shadow(0.8, 260.0, (250, 60), darkening=0.2)
    shadow_only = (cast > 0.5) & (disc < 0.01)
    depth = cv2.distanceTransform(shadow_only.view(np.uint8), cv2.DIST_L2, 5)
    row, column = np.unravel_index(np.argmax(depth), depth.shape)
    around = photo[row - 4 : row + 6, column - 4 : column + 6].reshape(-1, 3).mean(axis=0)
    photo[row : row + 5, column : column + 5] = np.rint(around + 8.0).astype(np.uint8)
    product, shadow_only = _classic_beside_shadow(photo, disc, cast)
    assert product[shadow_only].mean() < 0.005
    assert product[disc > 0.5].mean() > 0.998


@pytest.mark.parametrize(
    ("period", "offset", "shadow_left"),
    [(260.0, (250, 60), 0.06), (300.0, (0, 400), 0.1)],
    ids=["shadow-beside", "shadow-below"],
)
def test_a_metal_s_shading_running_on_into_its_shadow_stays(
    period: float, offset: tuple[int, int], shadow_left: float
) -> None:
    """The metal's shading passes out of the shadow's tone gradually, inside one shadow-coloured
    piece with the shadow, whose outline on the sweep is nearly all the shadow's penumbra. Where
    the piece meets the rest of the metal, tone changes gradually, not in a step as at a
    product's edge: the piece holds product, and only its shadow goes (a metal blob on a
    gradient lost a stripe, 27% of it, bench-quality seed 3; beside: the metal's last band, 17%)."""
    photo, disc, cast = _metal_and_its_shadow(0.8, period, offset, darkening=0.2)
    product, shadow_only = _classic_beside_shadow(photo, disc, cast)
    assert shadow_only.sum() > 100_000
    assert product[disc > 0.5].mean() > 0.998
    assert product[shadow_only].mean() < shadow_left


@pytest.mark.parametrize("soft_left", [4.0, 6.0])
def test_a_striped_metal_product_out_of_focus_on_one_side_loses_nothing(soft_left: float) -> None:
    """No shadow: the stripe meeting the soft side darkens the sweep evenly near it, over a
    stretch of that outline only, and is no shadow."""
    photo, disc, _ = _metal_and_its_shadow(0.8, 260.0, (90, 70), darkening=0.0, soft_left=soft_left)
    hard = disc >= 0.5
    product = classic_product(photo, hard, disc, estimate_backdrop(photo, hard))
    assert np.count_nonzero(hard & ~product) == 0


def _cast_shadow_under_metal() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A 340 x 420 scene, columns 20-399: a cast shadow (rows 200-269) darkening the backdrop to 0.8,
    its last 8 rows its penumbra, under a metal (rows 60-199). Rows, columns, the shadow, the
    metal, and the darkening factor with the shadow's alone set (1 elsewhere)."""
    rows, cols = np.mgrid[0:340, 0:420]
    shadow = (rows >= 200) & (rows < 270) & (cols >= 20) & (cols < 400)
    metal = (rows >= 60) & (rows < 200) & (cols >= 20) & (cols < 400)
    gain = np.ones(rows.shape, np.float32)
    gain[shadow] = (0.8 + 0.2 * np.clip((rows - 262) / 8.0, 0.0, 1.0))[shadow]  # the penumbra: 8 rows
    return rows, cols, shadow, metal, gain


def _shadow_under_a_striped_metal() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """That scene with a stripe over the metal's left half whose crest has the shadow's tone, the
    rest of the metal 0.045 darker than the shadow, and noise: rows, columns, shadow, metal,
    stripe, darkening factor."""
    rows, cols, shadow, metal, gain = _cast_shadow_under_metal()
    stripe = metal & (cols < 210)
    gain[stripe] = (0.68 + 0.12 * (1.0 - np.abs(cols - 115) / 95.0))[stripe]  # crest 0.8 at column 115
    gain[metal & ~stripe] = 0.755
    gain += np.random.default_rng(1).normal(0.0, 0.006, gain.shape).astype(np.float32)
    return rows, cols, shadow, metal, stripe, gain


def test_a_shadow_beside_a_weak_step_where_its_piece_ends_is_all_shadow() -> None:
    """A shadow-coloured piece: a cast shadow (darkening the backdrop to 0.8, its penumbra below)
    and, above its left half, a metal stripe whose crest has the shadow's tone. Above its right
    half lies product 0.045 darker than the shadow, a step too weak to be a sharp edge, where the
    piece ends. The stripe's band in the shadow's tone is bounded by shading changing gradually
    and stays, though noise left 3% of its pixels out of it; the shadow beside the weak step was cut
    from the product there, and goes (a metal blob on a gradient, bench-quality seed 2026: a wedge
    of it stayed, 3,979 impure output px)."""
    rows, cols, shadow, metal, stripe, gain = _shadow_under_a_striped_metal()
    # Single pixels that missed the shadow's colour, as noise leaves them: holes, but no edge.
    specks = stripe & (np.random.default_rng(2).random(rows.shape) < 0.03)
    piece = (shadow | stripe) & ~specks
    edge = piece & ~cv2.erode(piece.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    on_backdrop = edge & ~cv2.dilate(metal.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    soft_outline = on_backdrop & shadow  # its penumbra, wherever it meets the backdrop
    tint = np.zeros((*gain.shape, 3), np.float32)
    found = _shadow_within(gain, tint, piece, metal | shadow, soft_outline, on_backdrop, np.zeros_like(piece))
    assert found[shadow & (cols >= 220)].mean() > 0.98
    assert not found[stripe].any()


def test_a_shadow_the_mask_cut_through_goes_with_its_penumbra_strip() -> None:
    """A shadow-coloured piece: a cast shadow (darkening the backdrop to 0.8, its penumbra below)
    and a metal stripe above it whose crest has the shadow's tone. The mask was cut through the
    shadow's right end (a notch already out of it, where the shadow runs on flat, no outline), down
    to the penumbra, which is left a strip 5 px high along the soft outline. The shadow goes
    whole, its strip too; the stripe stays (a metal star's cast shadow peeled in part,
    bench-quality seed 3: 27,400 impure output px)."""
    rows, cols, shadow, metal, stripe, gain = _shadow_under_a_striped_metal()
    notch = (rows < 265) & (cols >= 300)
    product = (metal | shadow) & ~notch
    piece = product & ~(metal & ~stripe)
    edge = piece & ~cv2.erode(piece.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    # No outline where the piece meets the rest of the metal, nor where the shadow runs on flat.
    away = cv2.dilate((metal & ~stripe | notch & shadow).view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    on_backdrop = edge & ~away
    soft_outline = on_backdrop & shadow
    tint = np.zeros((*gain.shape, 3), np.float32)
    found = _shadow_within(gain, tint, piece, product, soft_outline, on_backdrop, np.zeros_like(piece))
    strip = shadow & (cols >= 300) & (rows >= 265)
    assert found[shadow & ~notch & ~strip & (cols >= 220)].mean() > 0.98
    assert found[strip].mean() > 0.9
    assert not found[stripe].any()


def test_a_shadow_beside_a_product_as_dark_but_tinted_is_all_shadow() -> None:
    """A cast shadow (darkening the backdrop to 0.8, neutral) under a bluish metal whose shading
    reaches 0.81 where the two meet: one shadow-coloured piece, the metal's last rows as dark as
    the shadow. The tint changes there, and a shadow keeps the backdrop's hue: the whole shadow
    goes, the metal stays (a bluish metal star 6.8 levels off its neutral shadow, bench-quality
    seed 2026: a strip of the shadow along it stayed)."""
    rows, _, shadow, metal, gain = _cast_shadow_under_metal()
    rng = np.random.default_rng(1)
    gain[metal] = (0.65 + 0.16 * (rows - 60) / 139.0)[metal]
    gain += rng.normal(0.0, 0.006, gain.shape).astype(np.float32)
    tint = rng.normal(0.0, 1.0, (*rows.shape, 3)).astype(np.float32)
    tint[metal] += np.array([-2.0, -1.0, 6.0], np.float32)
    piece = shadow | metal
    edge = piece & ~cv2.erode(piece.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    found = _shadow_within(gain, tint, piece, piece, edge & shadow, edge, np.zeros_like(piece))
    assert found[shadow].mean() > 0.98
    assert found[metal].mean() < 0.02


@pytest.mark.parametrize("widest", [7, 8])
def test_a_thin_wedge_of_shadow_along_a_metal_in_its_tone_goes_and_the_metal_stays(widest: int) -> None:
    """A bluish metal (rows 20-119) shaded down to its shadow's darkening (0.745 at its edge, 0.006
    more a row up) and, along that edge, a wedge of its neutral cast shadow (0.74) tapering from
    `widest` px to 2, its penumbra below: one piece. Past the penumbra the piece is mostly metal,
    and read by its median factor and tint, nothing was found; read by the peak of the factors
    there and the tint just inside the penumbra, the wedge goes (a metal star's arm, bench-quality
    seed 2026: 2,225 impure output px). Only pixels nearer the shadow's tint than the metal's are
    its: without that, 2% of the metal went with it."""
    rows, cols = np.mgrid[0:200, 0:320]
    across = (cols >= 30) & (cols < 290)
    metal = (rows >= 20) & (rows < 120) & across
    width = np.interp(cols, [30, 289], [widest, 2])
    wedge = (rows >= 120) & (rows < 120 + width) & across
    penumbra = (rows >= 120 + width) & (rows < 123 + width) & across
    gain = np.ones(rows.shape, np.float32)
    gain[metal] = np.minimum(0.745 + 0.006 * (119 - rows), 0.95)[metal]
    gain[wedge] = 0.74
    gain[penumbra] = (0.74 + 0.26 * (rows - 119 - width) / 4.0)[penumbra]
    rng = np.random.default_rng(1)
    gain += rng.normal(0.0, 0.004, gain.shape).astype(np.float32)
    tint = rng.normal(0.0, 0.8, (*rows.shape, 3)).astype(np.float32)
    tint[metal] += np.array([-2.0, -1.0, 4.0], np.float32)
    tint = cv2.blur(tint, (3, 3))  # a JPEG's chroma, smeared across the edge
    piece = metal | wedge | penumbra
    edge = piece & ~cv2.erode(piece.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    soft_outline = edge & (wedge | penumbra) & (rows > 120)
    found = _shadow_within(gain, tint, piece, piece, soft_outline, edge, np.zeros_like(piece))
    assert found[wedge].mean() > 0.8
    assert np.count_nonzero(found & metal) <= 0.001 * np.count_nonzero(metal)


@pytest.mark.parametrize("noise_seed", [1, 2, 3])
def test_a_thin_wedge_of_penumbra_darkens_evenly_along_its_outline_and_a_metal_s_shading_does_not(
    noise_seed: int,
) -> None:
    """A wedge 300 px long tapering from 7 px to 2 along an edge, its factor rising from 0.74 6 px
    in to 0.95 at its soft outline (all penumbra): its deepest pixels spread over more than
    0.05, but at each distance from the outline they darken alike (a wedge along a metal star's
    arm, bench-quality seed 2026). The same wedge shaded along its length from 0.70 to 0.85, as a
    metal is, does not; nor is a shadow thick enough to have pixels past its penumbra judged so."""
    rows, cols = np.mgrid[0:60, 0:340]
    width = np.interp(cols, [20, 319], [7, 2])
    wedge = (rows >= 20) & (rows < 20 + width) & (cols >= 20) & (cols < 320)
    soft_outline = wedge & ~np.roll(wedge, -1, axis=0)  # its lower edge
    rng = np.random.default_rng(noise_seed)
    noise = rng.normal(0.0, 0.004, rows.shape).astype(np.float32)
    # A penumbra 6 px wide, from the soft outline in: narrower, the wedge is lighter throughout.
    outline_row = np.floor(19 + width)
    penumbra = (0.74 + 0.21 * np.clip(1.0 - (outline_row - rows) / 6.0, 0.0, 1.0) ** 2 + noise).astype(np.float32)
    assert not _darkens_evenly(penumbra, wedge)
    assert _darkens_evenly_along(penumbra, wedge, soft_outline)
    shaded = (0.70 + 0.15 * (cols - 20) / 300.0 + noise).astype(np.float32)
    assert not _darkens_evenly_along(shaded, wedge, soft_outline)
    thick = (rows >= 20) & (rows < 40) & (cols >= 20) & (cols < 320)
    assert not _darkens_evenly_along(np.full(rows.shape, 0.74, np.float32), thick, thick & (rows == 39))


def test_a_bit_of_a_peeled_shadow_goes_with_it_and_a_darker_grey_part_stays() -> None:
    """Pieces beside a peeled shadow (label 1, darkening the backdrop to 0.70): a small one as dark
    goes (2), also where it touches another peeled shadow of another darkness (6, between 1 and 7);
    one darker, a grey part (3), one apart (4) and one as dark but large (5) stay."""
    labels = np.zeros((200, 300), np.int32)
    labels[20:180, 20:140] = 1
    labels[60:70, 140:150] = 2  # touches 1
    labels[100:110, 140:150] = 3  # touches 1
    labels[20:30, 200:210] = 4  # apart
    labels[130:180, 140:300] = 5  # touches 1, 8000 px against its 19200
    labels[0:20, 20:30] = 6  # touches 1 and 7
    labels[0:20, 30:300] = 7
    gain = np.full(labels.shape, 1.0, np.float32)
    gain[labels == 1] = np.linspace(0.69, 0.71, int((labels == 1).sum()))
    gain[(labels == 2) | (labels == 4) | (labels == 5) | (labels == 6)] = 0.7
    gain[(labels == 3) | (labels == 7)] = 0.4
    peel = np.array([False, True, False, False, False, False, False, True])
    expected = [False, False, True, False, False, False, True, False]
    assert _remnants_of(peel, labels, 8, gain, _gain_quartiles(peel, labels, gain)).tolist() == expected


def _grey_part_above_its_shadow(tint: tuple[float, float, float], top: float) -> tuple[np.ndarray, ...]:
    """A grey part of a product (rows 20-119) above a strip of its cast shadow (rows 120-159),
    labelled one piece (1): the shadow darkens a 250 backdrop to 0.8, the part from `top` at its
    top row to 0.8 at the strip (a metal's shading running on into the shadow's tone), tinted by
    `tint`; below the strip, the shadow's penumbra (rows 160-165, 0.8 to 0.95), peeled as a piece
    of its own (2). The part's outline is sharp, the shadow's (the strip's ends and the penumbra's
    foot) soft. Returned: the maps `_shadows_running_into` reads, and the strip."""
    rows = np.mgrid[0:200, 0:300][0]
    labels = np.zeros((200, 300), np.int32)
    labels[20:160, 30:270] = 1
    labels[160:166, 30:270] = 2
    factor = np.ones((200, 300), np.float32)
    factor[20:160, 30:270] = 0.8
    factor[20:120, 30:270] = np.linspace(top, 0.8, 100, dtype=np.float32)[:, None]
    factor[160:166, 30:270] = np.linspace(0.8, 0.95, 6, dtype=np.float32)[:, None]
    back = np.full((200, 300, 3), 250.0, np.float32)
    rgb = back * factor[:, :, None]
    rgb[20:120, 30:270] += np.array(tint, np.float32)
    rgb += np.random.default_rng(3).normal(0.0, 0.8, rgb.shape).astype(np.float32)
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    product = labels > 0
    on_outline = product & cv2.dilate((~product).view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    soft_edge = on_outline & (rows >= 120)
    sharp = on_outline & ~soft_edge
    gain = backdrop_gain(rgb.astype(np.float32), back)
    strip = (labels == 1) & (rows >= 120)
    return labels, gain, rgb, back, product, on_outline, soft_edge, sharp, strip


@pytest.mark.parametrize(
    ("tint", "top", "goes"),
    [((-1.0, 0.0, 4.0), 0.8, True), ((0.0, 0.0, 0.0), 0.8, False), ((0.0, 0.0, 0.0), 0.7, False)],
    ids=["tinted", "neutral", "neutral-shaded-into-it"],
)
def test_a_shadow_running_on_under_a_grey_part_goes_where_the_part_s_tint_bounds_it(
    tint: tuple[float, float, float], top: float, goes: bool
) -> None:
    """The strip of shadow a grey product's piece kept when the penumbra below it was peeled alone
    (bench-quality seed 3's light-grey star, 3.7 levels bluish off its neutral shadow: the shadow
    between two of its legs, 14,110 impure output px): it goes, as a new peeled label, where the
    part above it is tinted. Neutral, flat or shaded on into the shadow's tone (a metal), what is
    found meets the rest of the piece with no bound, no change of tint and no sharp edge, and
    nothing goes: with no bound asked, the whole strip went with 13% of the flat part, and 84% of
    it with 2.7% of the shaded one."""
    labels, gain, rgb, back, product, on_outline, soft_edge, sharp, strip = _grey_part_above_its_shadow(tint, top)
    peel = np.array([False, False, True])
    maps = _PieceMaps(gain, rgb, back, product, on_outline, soft_edge, sharp)
    new_labels, new_peel, count = _labelled(labels.copy(), peel, 3, _shadows_running_into(labels, peel, maps))
    taken = new_peel[new_labels] & (labels == 1)
    part = (labels == 1) & ~strip
    if goes:
        assert count == 4 and new_peel.tolist() == [False, False, True, True]
        assert taken[strip].mean() > 0.95
        assert taken[part].mean() < 0.02
    else:
        assert count == 3 and not taken.any()


def _remnants_beside_a_shadow(labels: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """`_remnants_of` with label 1 the peeled shadow, darkening the backdrop to 0.69-0.71."""
    count = int(labels.max()) + 1
    gain[labels == 1] = np.linspace(0.69, 0.71, int((labels == 1).sum()))
    peel = np.zeros(count, bool)
    peel[1] = True
    return _remnants_of(peel, labels, count, gain, _gain_quartiles(peel, labels, gain))


def test_a_chain_of_shadow_slivers_lightened_by_their_penumbra_goes_with_the_shadow() -> None:
    """Pieces 2-4 in a row off a peeled shadow (label 1), only 2 touching it, each mostly penumbra
    (0.78) with a core in the shadow's darkness (0.70): all go, each judged by its darker quarter
    (a light-grey blob on fabric, bench-quality seed 2026: such slivers were 688 impure output
    px). A grey part (5, 0.40) at the chain's end stays."""
    labels = np.zeros((200, 300), np.int32)
    labels[20:180, 20:140] = 1
    for label, left in zip(range(2, 6), range(140, 180, 10), strict=True):
        labels[60:70, left : left + 10] = label
    gain = np.full(labels.shape, 0.78, np.float32)
    gain[(labels >= 2) & (np.arange(300)[None, :] % 10 < 3)] = 0.70  # a core 3 px wide in each
    gain[labels == 5] = 0.40
    assert _remnants_beside_a_shadow(labels, gain).tolist() == [False, False, True, True, True, False]


def test_a_chain_of_bits_off_a_shadow_is_followed_up_to_a_twentieth_of_its_size() -> None:
    """Sixteen 100 px pieces as dark as the shadow, in a row off its 19,200 px, only the first
    touching it: the first goes as any bit beside it does, and those chained on from it up to
    REMNANT_MAX_SHARE of the shadow together (960 px: nine); past that they are more likely
    product in the shadow's tone."""
    labels = np.zeros((200, 320), np.int32)
    labels[20:180, 20:140] = 1
    for label, left in enumerate(range(140, 300, 10), start=2):
        labels[60:70, left : left + 10] = label
    remnants = _remnants_beside_a_shadow(labels, np.full(labels.shape, 0.70, np.float32))
    assert np.flatnonzero(remnants).tolist() == list(range(2, 12))


def test_a_large_cast_shadow_does_not_pull_the_backdrop_s_model_down() -> None:
    """A hard cast shadow over a sixth of a graded sweep, 35% dark: the quadratic through the
    backdrop stays on the bare sweep (it was 43 levels under it beside the shadow, so the sweep
    around the shadow read as product on bench-quality), and so does the local model where the
    sweep is bare."""
    disc = _disc_alpha(radius=300)
    sweep = np.broadcast_to(np.linspace(200.0, 235.0, SIZE, dtype=np.float32)[:, None, None], (SIZE, SIZE, 3))
    cast = np.zeros((SIZE, SIZE), np.float32)
    cv2.ellipse(cast, (560, 820), (520, 420), 0, 0, 360, 1.0, -1)
    cast = cv2.GaussianBlur(cast, (0, 0), 4.0)
    photo = sweep * (1.0 - 0.35 * (cast * (1.0 - disc))[:, :, None])
    photo = photo * (1.0 - disc[:, :, None]) + np.float32([40.0, 90.0, 160.0]) * disc[:, :, None]
    photo = _with_noise(photo)
    backdrop = estimate_backdrop(photo, disc >= 0.5)
    size = backdrop.smooth.shape[1::-1]
    sweep_small = cv2.resize(np.ascontiguousarray(sweep), size, interpolation=cv2.INTER_AREA)
    bare = cv2.resize(((cast < 0.01) & (disc < 0.01)).astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0.99
    assert ((cast > 0.5) & (disc < 0.01)).sum() > 0.15 * (disc < 0.01).sum()
    assert np.abs(backdrop.smooth - sweep_small).max() < 1.0
    assert np.abs(backdrop.low - sweep_small)[bare].max() < SHADOW_PULL_LIMIT + 1.0


def test_the_noise_metric_is_the_identity_for_even_noise_and_weighs_hue_over_a_brightness_grain() -> None:
    rng = np.random.default_rng(5)
    truth = _disc_alpha()
    hard = truth >= 0.5
    even = _composite(truth, (60, 60, 160), 230.0, noise=3.0)
    assert np.abs(estimate_backdrop(even, hard).noise_metric() - np.eye(3)).max() < 0.15
    grain = cv2.GaussianBlur(rng.normal(0.0, 1.0, truth.shape).astype(np.float32), (0, 0), sigmaX=6.0, sigmaY=1.0)
    grained = _composite(truth, (60, 60, 160), 230.0, noise=1.0).astype(np.float32)
    grained += (grain * 5.0 / grain.std())[:, :, None] * (1.0 - truth[:, :, None])
    metric = estimate_backdrop(np.clip(np.rint(grained), 0, 255).astype(np.uint8), hard).noise_metric()
    brightness, hue = np.full(3, 3**-0.5, np.float32), np.array([2**-0.5, -(2**-0.5), 0.0], np.float32)
    assert hue @ metric @ hue > 5.0 * (brightness @ metric @ brightness)


def test_a_textured_backdrop_is_not_a_sweep() -> None:
    truth = _disc_alpha()
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    wood = 200.0 + 25.0 * np.sin(yy / 9.0 + 2 * np.sin(xx / 150.0))
    photo = _composite(truth, (30, 60, 170), 0.0) + (wood * (1 - truth))[:, :, None].astype(np.uint8)
    wooden = estimate_backdrop(photo, truth >= 0.5)
    assert not wooden.is_sweep and not wooden.is_plain
    assert estimate_backdrop(_composite(truth, (30, 60, 170), 240.0), truth >= 0.5).is_sweep


@pytest.mark.parametrize("backdrop", [255.0, 235.0])
def test_white_product_on_white_keeps_the_network_interior(backdrop: float) -> None:
    truth = _disc_alpha()
    photo = _composite(truth, (247, 247, 247), backdrop)
    hard, soft = truth >= 0.5, truth
    product = classic_product(photo, hard, soft, estimate_backdrop(photo, hard))
    matte = refine_edges(photo, product, soft, estimate_backdrop(photo, product))
    kept = (matte.mask.hard & (truth >= 0.5)).sum() / (truth >= 0.5).sum()
    assert kept > 0.98


def test_a_contact_shadow_narrower_than_the_band_stays_backdrop() -> None:
    """Under a grey product, a contact shadow as dark, a few pixels deep: the band around the edge
    reaches past it, so the only backdrop beside it is lighter, and it would read as product."""
    truth = _disc_alpha(radius=300)
    photo = _composite(truth, (140, 140, 142), 245.0).astype(np.float32)
    outside = (truth < 0.5).astype(np.uint8)
    gap = cv2.distanceTransform(outside, cv2.DIST_L2, 5)  # px from the disc's edge
    rows = np.arange(SIZE, dtype=np.float32)[:, None]
    contact = 0.45 * np.exp(-((gap / 8.0) ** 4)) * (rows > SIZE / 2 + 150)  # under its lower part only
    photo *= 1.0 - contact[:, :, None] * (1.0 - truth[:, :, None])
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    hard, soft = truth >= 0.5, truth  # the network unsure of the shadow: it is not in the mask
    backdrop = estimate_backdrop(photo, hard)
    product = classic_product(photo, hard, soft, backdrop)
    shadow_only = (contact > 0.1) & (gap > 3)
    assert shadow_only.sum() > 1000 and not product[shadow_only].any()
    assert iou(product, truth >= 0.5) > 0.995  # the grey disc in its shadow's tone is no shadow
    loose = refine_edges(photo, product, soft, backdrop)
    exact = refine_edges(photo, product, soft, backdrop, hard_is_exact=True)
    assert loose.mask.alpha[shadow_only].mean() > 0.5  # what the band alone makes of it
    assert (exact.mask.alpha[shadow_only] == 0).all()
    assert iou(loose.mask.hard, truth >= 0.5) < 0.99
    assert iou(exact.mask.hard, truth >= 0.5) > 0.995


def _cable_across_its_contact_shadow(
    spread: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A dark grey disc on a light sweep (230), a light-grey cable (0.8 of it, 7 px) running off
    its foot across the disc's soft contact shadow (an ellipse under it, 30% darker, blurred by
    `spread` px), and the network sure of everything between the disc and the cable: the bare
    sweep there, and the lighter side of the shadow above the cable (held-out seed 1's
    light-grey cable on light grey). Photo, truth, cable, the shadow's darkening, network."""
    disc = _disc_alpha(radius=220)
    line = np.zeros((SIZE, SIZE), np.uint8)
    start, end = (SIZE // 2 + 150, SIZE // 2 + 160), (SIZE // 2 - 450, SIZE // 2 + 330)
    cv2.line(line, start, end, 255, 7, cv2.LINE_AA)
    cable = cv2.GaussianBlur(line.astype(np.float32) / 255.0, (0, 0), 0.8)
    truth = np.maximum(disc, cable)
    rows, cols = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    core = (((cols - SIZE / 2) / 420) ** 2 + ((rows - SIZE / 2 - 330) / 60) ** 2 <= 1).astype(np.float32)
    shade = 0.3 * cv2.GaussianBlur(core, (0, 0), spread)
    photo = np.full((SIZE, SIZE, 3), 230.0, np.float32) * (1.0 - shade[:, :, None])
    photo = photo * (1.0 - truth[:, :, None]) + np.float32(230.0 * 0.8) * truth[:, :, None]
    above = rows < start[1] + (cols - start[0]) * (end[1] - start[1]) / (end[0] - start[0])
    filled = above & (cols > end[0]) & (cols < start[0]) & (rows > SIZE / 2)
    network = cv2.GaussianBlur(np.maximum(disc, filled.astype(np.float32)), (0, 0), 2.0)
    return _with_noise(photo), truth, cable, shade, np.maximum(network, cable)


@pytest.mark.parametrize("spread", [20.0, 30.0])
def test_a_soft_contact_shadow_the_network_took_in_goes_and_the_cable_across_it_stays(spread: float) -> None:
    """The shadow's lighter side above the cable is a ramp, its outline on the backdrop showing no
    step (where the mask's edge crossed it): not judged by its outline's softness before, it stayed
    whole (2,551 and 4,673 px of it). It goes now, the cable across it stays: given back to the
    ramp's piece by the cut along its edges it carries on the cable's tone, and, left along the
    peeled ramp, it is no sliver of it (a sliver's line with the product is as long as it is)."""
    photo, truth, cable, shade, network = _cable_across_its_contact_shadow(spread)
    hard = network >= 0.5
    product = classic_product(photo, hard, network, estimate_backdrop(photo, hard))
    shadow_only = (shade > 0.04) & (truth < 0.01)
    assert (network[shadow_only] >= 0.85).sum() > 2_500  # the network sure of that much shadow
    assert (product & (truth < 0.01)).sum() < 600
    cable_in_shadow = (cable > 0.5) & (shade > 0.02)
    assert cable_in_shadow.sum() > 2_500
    assert product[cable_in_shadow].mean() > 0.9
    assert product[truth > 0.5].mean() > 0.995
    assert iou(product, truth >= 0.5) > 0.99


@pytest.mark.parametrize("darkening", [0.075, 0.08])
def test_a_noisy_contact_shadow_speckled_by_the_colour_test_is_no_thin_part(darkening: float) -> None:
    """A dark disc, a grey cable the network missed, and a contact shadow under the disc that the
    network left out, in a noisy photo (3.5 levels a channel): the shadow's pixels pass the
    shadow-colour test one by one, its specks that fail it leave it full of small holes, and no
    disc fitted in it to set it aside as wide: the whole shadow read as a thin part touching the
    product (61,804 and 62,116 of its 72,498 px kept; a metal bag's on held-out seed 5, 41,923
    px). Its specks filled, it is wide and left out; the cable is still found."""
    disc = _disc_alpha(radius=300)
    line = np.zeros((SIZE, SIZE), np.uint8)
    cv2.line(line, (SIZE // 2 + 200, SIZE // 2 - 200), (SIZE - 150, 200), 255, 9, cv2.LINE_AA)
    cable = cv2.GaussianBlur(line.astype(np.float32) / 255.0, (0, 0), 0.8) * (1.0 - disc)
    truth = disc + cable
    rows, cols = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    under = (np.abs(cols - SIZE / 2) < 330) & (rows > SIZE / 2 + 200) & (rows < SIZE / 2 + 360)
    shade = darkening * cv2.GaussianBlur(under.astype(np.float32), (0, 0), 4.0)
    photo = np.full((SIZE, SIZE, 3), 215.0, np.float32) * (1.0 - shade[:, :, None])
    photo = photo * (1.0 - truth[:, :, None]) + np.float32(60.0) * disc[:, :, None]
    photo += np.float32(215.0 * 0.7) * cable[:, :, None]
    photo += np.random.default_rng(5).normal(0.0, 3.5, photo.shape).astype(np.float32)
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    hard = disc >= 0.5
    product = classic_product(photo, hard, disc, estimate_backdrop(photo, hard))
    shadow_only = (shade > darkening / 2) & (truth < 0.01)
    assert shadow_only.sum() > 70_000
    assert product[shadow_only].sum() < 500
    assert product[cable > 0.5].mean() > 0.95
    assert iou(product, truth >= 0.5) > 0.99


@pytest.mark.parametrize("noise_seed", [1, 2])
def test_a_ramp_s_faint_outline_reads_soft_and_a_weak_step_s_sharp(noise_seed: int) -> None:
    """Where a mask's edge crosses a gentle darkening (0.8 levels a pixel, noise 1.5) or a light-grey
    product's edge 9 levels under the sweep, its outline shows no step of the classic threshold
    (12) along all or some of it. The ramp's reads soft along most of that, the weak step's sharp:
    one piece is a ramp, the other not, though no step showed anywhere else on it."""
    size = 400
    cols = np.arange(size, dtype=np.float32)[None, :].repeat(size, axis=0)
    ramp = 230.0 - np.clip((cols - 100.0) * 0.8, 0.0, 60.0)
    step = 230.0 - 9.0 * cv2.GaussianBlur((cols > 200).astype(np.float32), (0, 0), 1.0)
    rng = np.random.default_rng(noise_seed)
    found = []
    for tone in (ramp, step):
        photo = np.clip(np.rint(tone[:, :, None] + rng.normal(0.0, 1.5, (size, size, 3))), 0, 255).astype(np.uint8)
        luma, span = _luma_and_span(photo)
        piece = cv2.GaussianBlur(luma, (0, 0), 1.0) < 223  # 7 levels under: 12 apart in RGB
        piece[:, :5] = piece[:, -5:] = False
        outline = piece & ~cv2.erode(piece.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        outline[:5] = outline[-5:] = outline[:, -6:] = False
        faint = outline & (span < 12.0)
        assert faint.sum() > 100
        soft = _soft_edges(luma)
        labels = piece.astype(np.int32)
        found.append((float(soft[faint].mean()), bool(_ramps(labels, 2, np.zeros(2, np.int64), faint, soft)[1])))
    (ramp_soft, ramp_is_ramp), (step_soft, step_is_ramp) = found
    assert ramp_soft > 0.8 and ramp_is_ramp
    assert step_soft < 0.05 and not step_is_ramp


@pytest.mark.parametrize("hard_is_exact", [False, True])
def test_an_empty_mask_is_no_product_on_either_path(hard_is_exact: bool) -> None:
    photo = np.full((200, 200, 3), 240, np.uint8)
    somewhere = np.zeros((200, 200), bool)
    somewhere[50:60, 50:60] = True
    backdrop = estimate_backdrop(photo, somewhere)
    empty = np.zeros((200, 200), bool)
    with pytest.raises(NoProductError):
        refine_edges(photo, empty, empty.astype(np.float32), backdrop, hard_is_exact=hard_is_exact)


def test_the_classical_mask_works_on_a_phone_draft_as_it_is_and_reduces_larger_photos() -> None:
    from aefix.stages.matte import _classic_scale

    assert _classic_scale((1512, 2016)) == 1.0  # a 12 MP JPEG's half-size draft: within the loader's slack
    assert _classic_scale((1500, 2000)) == 1.0
    assert _classic_scale((3000, 4000)) == 0.5
    assert _classic_scale((1444, 2165)) == pytest.approx(2000 / 2165)


def test_bare_sweep_beside_a_hard_cast_shadow_stays_backdrop() -> None:
    """A white box a little lighter than its light-grey sweep casts a hard shadow up and to the
    left. Where the shadow's edge leaves the box's, the bare sweep in the band has mostly shadow
    beyond it to compare with, and against that dark a sweep-coloured pixel reads as product."""
    truth = _box_alpha()
    photo, _ = _with_cast_shadow(truth, (238, 238, 240), 228.0, (-60, -90), penumbra=2.5, darkening=0.3)
    hard, soft = truth >= 0.5, truth
    backdrop = estimate_backdrop(photo, hard)
    product = classic_product(photo, hard, soft, backdrop)
    matte = refine_edges(photo, product, soft, backdrop, hard_is_exact=True)
    gap = cv2.distanceTransform((truth < 0.5).astype(np.uint8), cv2.DIST_L2, 5)  # px from the box
    beyond_edge = gap > 3
    assert not product[beyond_edge].any()
    assert (matte.mask.alpha[beyond_edge] == 0).all()  # the band alone left 294 px of it over 0
    assert iou(matte.mask.hard, truth >= 0.5) > 0.995


def _box_casting_a_thin_band(size: int, side: int, penumbra: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A white box of `side` px in the middle of a light-grey sweep, casting a hard shadow 10 px up
    and to the left, with the band of it beside the box in the network's mask: photo, the box's
    coverage, the network's mask."""
    truth = _box_alpha(size, side)
    photo, cast = _with_cast_shadow(truth, (238, 238, 240), 226.0, (-10, -10), penumbra, darkening=0.25)
    return photo, truth, np.maximum(truth, (cast > 0.3).astype(np.float32))


@pytest.mark.parametrize(
    ("size", "side", "penumbra", "min_iou"),
    [(SIZE, 600, 1.5, 0.995), (SIZE, 600, 2.5, 0.995), (800, 30, 2.5, 0.96)],
)
def test_a_thin_band_of_cast_shadow_the_network_took_in_leaves_the_mask(
    size: int, side: int, penumbra: float, min_iou: float
) -> None:
    """Too thin to have an inside past its penumbra, the band is judged as deep in as it goes:
    whole, its penumbra spreads its darkening past what one shadow's may be. Beside a 30 px box
    it has 363 px 1 px in and 139 at 3 px, under the 400 a piece's inside had to have."""
    photo, truth, network = _box_casting_a_thin_band(size, side, penumbra)
    hard, soft = network >= 0.5, network
    backdrop = estimate_backdrop(photo, hard)
    product = classic_product(photo, hard, soft, backdrop)
    band = hard & (truth < 0.01)
    assert band.sum() > 16 * side and not product[band].any()
    assert iou(product, truth >= 0.5) > min_iou


def test_a_cast_shadow_speckled_by_noise_is_still_judged_by_its_edge() -> None:
    """On a noisy photo some of a shadow's pixels fail the shadow-colour test, one by one. Each
    such speck is product that is not shadow-coloured: counted as the product's own edge, its
    neighbourhood hid the shadow's whole outline from the soft-edge test, and the shadow stayed."""
    truth = _box_alpha()
    photo, cast = _with_cast_shadow(truth, (150, 170, 190), 245.0, (60, 80), penumbra=3.0, darkening=0.3, noise=4.0)
    network = np.maximum(truth, (cast > 0.1).astype(np.float32))  # sure of the shadow
    hard, soft = network >= 0.5, network
    backdrop = estimate_backdrop(photo, hard)
    product = classic_product(photo, hard, soft, backdrop)
    shadow_only = (cast > 0.5) & (truth < 0.01)
    assert shadow_only.sum() > 70_000
    assert product[shadow_only].mean() < 0.01
    assert iou(product, truth >= 0.5) > 0.99


def test_the_shadow_line_the_classical_mask_took_in_at_the_product_s_foot_is_backdrop() -> None:
    """A green disc's hard cast shadow, a crescent 10 px wide, starts at its edge, and the
    classical mask reaches 3 px into it there. Against the lighter backdrop beyond the band, that
    line of shadow read as partly product, and its decontaminated colour was a dark rim."""
    truth = _disc_alpha(radius=300)
    photo, _ = _with_cast_shadow(truth, (40, 130, 60), 228.0, (10, 10), penumbra=2.0, darkening=0.35)
    product = truth >= 0.5
    gap = cv2.distanceTransform((~product).view(np.uint8), cv2.DIST_L2, 5)  # px from the disc
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    shadow_side = (rows + cols) > SIZE + 200  # down and to the right, where the shadow leaves the disc
    hard = product | ((gap <= 3) & shadow_side)
    backdrop = estimate_backdrop(photo, hard)
    matte = refine_edges(photo, hard, truth, backdrop, hard_is_exact=True)
    line = hard & (gap > 2.5)
    assert line.sum() > 400
    assert (matte.mask.alpha[line] == 0).all()  # all of it was over 0
    assert iou(matte.mask.hard, product) > 0.995


def test_a_cast_shadow_darker_beside_the_product_than_beyond_the_band_is_backdrop() -> None:
    """A blue-grey glass-like disc on white casts a hard shadow 12 px down and right; the classical
    mask reaches a pixel past the disc. The backdrop colour taken from beyond the band mixes the
    shadow with the bare white past its far edge, 10 levels lighter than the shadow beside the
    disc, and against it that shadow read as partly product (alpha up to 0.92 a pixel or more out).
    Read against the backdrop right beside the mask it is backdrop."""
    truth = _disc_alpha(radius=300)
    photo, cast = _with_cast_shadow(truth, (143, 154, 168), 250.0, (12, 12), penumbra=3.0, darkening=0.35)
    product = truth >= 0.5
    hard = cv2.dilate(product.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    backdrop = estimate_backdrop(photo, hard)
    matte = refine_edges(photo, hard, truth, backdrop, hard_is_exact=True)
    gap = cv2.distanceTransform((truth < 0.01).view(np.uint8), cv2.DIST_L2, 5)  # px from the disc
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    angle = np.degrees(np.arctan2(rows - SIZE // 2, cols - SIZE // 2))
    # Where the shadow runs beside the disc, not at the two ends of its crescent, where it thins out.
    beside = (gap >= 1.0) & (cast > 0.9) & (angle > -10) & (angle < 100)
    assert beside.sum() > 4000
    assert (matte.mask.alpha[beside] == 0).all()  # 39 px over 0 before, up to 0.92
    assert iou(matte.mask.hard, product) > 0.995  # 0.9929 before


def test_a_grey_product_out_of_focus_keeps_its_edge_against_the_backdrop_beside_it() -> None:
    """A light-grey box 2.2 px out of focus: its edge fades past the classical mask's slack in the
    colours of a shadow, darker beside the mask than farther out. Taken for the backdrop beside the
    product, it read most of the edge as backdrop (1,453 of 2,400 edge px lost)."""
    truth = cv2.GaussianBlur(_box_alpha(), (0, 0), 2.0)  # with the box's own 1 px: 2.2 px
    photo = _composite(truth, (190, 190, 190), 229.0)
    product = truth >= 0.5
    matte = refine_edges(photo, product, truth, estimate_backdrop(photo, product), hard_is_exact=True)
    assert (product & ~matte.mask.hard).sum() <= 20  # 2 before the backdrop beside was read


def test_a_thin_cable_in_a_broad_contact_shadow_is_read_against_that_shadow() -> None:
    """A dark cable 4 px wide on a light sweep, lying in a contact shadow 12% dark along it that fades
    over some 60 px, and a classical mask 2 px wider each side. Too thin to have an interior, its
    edge is read by each pixel's distance from the backdrop: from the frame's smooth model, fitted
    away from the cable, the shadow beside it read as part of it."""
    line = np.zeros((SIZE, SIZE), np.uint8)
    cv2.line(line, (200 * 16, 300 * 16), (1400 * 16, 1300 * 16), 255, 4, cv2.LINE_AA, 4)
    truth = cv2.GaussianBlur(line.astype(np.float32) / 255.0, (0, 0), 0.7)
    photo = _composite(truth, (120, 120, 125), 240.0).astype(np.float32)
    product = truth >= 0.5
    gap = cv2.distanceTransform((~product).view(np.uint8), cv2.DIST_L2, 5)  # px from the cable
    darkening = 0.12 * np.exp(-((gap / 60.0) ** 2))
    photo *= 1.0 - darkening[:, :, None] * (1.0 - truth[:, :, None])
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    hard = cv2.dilate(product.view(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    matte = refine_edges(photo, hard, truth, estimate_backdrop(photo, hard), hard_is_exact=True)
    beside = (gap >= 2.0) & (truth < 0.01)
    assert beside.sum() > 10_000
    assert matte.mask.alpha[beside].sum() < 200  # 705 before
    assert iou(matte.mask.hard, product) > 0.99  # 0.9503 before


def test_a_shadow_darkening_toward_a_grey_product_is_no_fading_edge_of_it() -> None:
    """A mid-grey disc whose shadow below it darkens the sweep by 30% at its edge, a third less 4 px
    out, and a classical mask 3 px into it there. Darker beside the mask than farther out, the shadow
    looked like the disc's edge fading; but its first ring past the slack reads as 0.4 of the disc,
    no tail, and against the shadow beside the mask what the mask took in reads as little product."""
    truth = _disc_alpha(radius=300)
    photo = _composite(truth, (125, 125, 128), 216.0).astype(np.float32)
    product = truth >= 0.5
    gap = cv2.distanceTransform((~product).view(np.uint8), cv2.DIST_L2, 5)  # px from the disc
    below = np.arange(SIZE)[:, None] > SIZE / 2 + 100
    darkening = 0.3 * np.exp(-gap / 10.0) * below
    photo *= 1.0 - darkening[:, :, None] * (1.0 - truth[:, :, None])
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    hard = product | ((gap <= 3) & below)
    matte = refine_edges(photo, hard, truth, estimate_backdrop(photo, hard), hard_is_exact=True)
    taken_in = below & (gap > 1.5) & (gap <= 2.5) & (truth < 0.05)
    assert taken_in.sum() > 300
    assert matte.mask.alpha[taken_in].mean() < 0.35  # 0.54 before
    assert iou(matte.mask.hard, product) > 0.996  # 0.9934 before


def test_a_white_product_beside_a_shadow_darkening_away_from_it_gains_nothing_from_that_shadow() -> None:
    """Under a white disc on light grey, a shadow that darkens from its edge to 4 px out and stays
    as dark, and a classical mask a pixel wide. The shadow right beside the mask is darker than the
    pixels between, which, read against it, became partly the white product (160 px over 0, up
    to 0.19): the backdrop beside the mask only ever lowers alpha."""
    truth = _disc_alpha(radius=300)
    photo = _composite(truth, (240, 240, 240), 215.0).astype(np.float32)
    gap = cv2.distanceTransform((truth < 0.5).view(np.uint8), cv2.DIST_L2, 5)
    rows = np.arange(SIZE, dtype=np.float32)[:, None]
    darkening = 0.15 * np.clip(gap / 4.0, 0, 1) * np.exp(-((gap / 30.0) ** 2)) * (rows > SIZE / 2)
    photo *= 1.0 - darkening[:, :, None] * (1.0 - truth[:, :, None])
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    product = truth >= 0.5
    hard = cv2.dilate(product.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    matte = refine_edges(photo, hard, truth, estimate_backdrop(photo, hard), hard_is_exact=True)
    beyond = (cv2.distanceTransform((truth < 0.01).view(np.uint8), cv2.DIST_L2, 5) >= 1.0) & (rows > SIZE / 2 + 50)
    assert beyond.sum() > 50_000
    assert (matte.mask.alpha[beyond] == 0).all()


def test_a_crack_the_classical_mask_left_along_a_grey_strap_is_no_backdrop_beside_it() -> None:
    """A grey bag's strap, 12 px wide, in the colours of a shadow on its light-grey sweep, and a
    classical mask that left out its middle 4 px: past the mask's slack and shadow-coloured, the
    crack's middle looked like backdrop beside the mask, and read against it the strap either
    side went too (1,245 of its 4,233 px lost; 249, the crack's middle, before)."""
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    diagonal = np.abs(rows - cols) / np.sqrt(2)  # px from the strap's middle line
    body = (rows >= 500) & (rows < 1100) & (cols >= 500) & (cols < 1100)
    strap = (diagonal <= 6) & (rows > 150) & (rows < 500)
    truth = cv2.GaussianBlur((body | strap).astype(np.float32), (0, 0), 1.0)
    photo = _composite(truth, (180, 180, 180), 210.0)
    hard = (truth >= 0.5) & ~((diagonal <= 2) & (rows > 170) & (rows < 480))
    matte = refine_edges(photo, hard, truth, estimate_backdrop(photo, hard), hard_is_exact=True)
    lost = strap & (matte.mask.alpha < 0.5) & (rows > 200) & (rows < 450)
    assert lost.sum() <= 300
    assert (diagonal[lost] <= 1.5).all()  # the crack's middle line at most


def test_a_white_cable_in_its_contact_shadow_is_read_on_its_own_side_of_the_sweep() -> None:
    """A white cable 7 px wide on a light-grey sweep, in a contact shadow 30 levels dark either
    side of it, and a classical mask that took 3 px of that shadow in on each side: no interior is
    near to borrow the product's colour from. The shadow is farther from the sweep than the cable;
    by that distance alone it read as the cable, and the cable as backdrop."""
    photo = np.full((SIZE, SIZE, 3), 215.0, np.float32)
    rows = np.arange(SIZE)[:, None]
    cols = np.arange(SIZE)[None, :]
    along = (cols >= 200) & (cols < 1400)
    photo[(np.abs(rows - 800) <= 9) & along] = 185.0
    cable = (np.abs(rows - 800) <= 3) & along
    photo[cable] = 240.0
    photo += np.random.default_rng(11).normal(0.0, 1.5, photo.shape).astype(np.float32)
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    hard = (np.abs(rows - 800) <= 6) & along
    backdrop = estimate_backdrop(photo, hard)
    matte = refine_edges(photo, hard, hard.astype(np.float32), backdrop, hard_is_exact=True)
    middle = cable & (cols >= 300) & (cols < 1300)
    shadow_taken = hard & ~cable & (cols >= 300) & (cols < 1300)
    assert (matte.mask.alpha[middle] >= 0.5).all()
    assert (matte.mask.alpha[shadow_taken] < 0.5).all()


def test_a_lone_noise_pixel_beyond_the_classical_mask_is_backdrop_and_a_tab_is_not() -> None:
    """A white disc on a light-grey sweep with the camera's noise, and 2-4 px beyond its edge
    single pixels 16 levels lighter in every channel (28 off the sweep, past the classical
    threshold of 1.5x the noise's p95): beside the edge they read as partly product, grey specks
    on the white canvas. A tab of the disc's own white 3 px wide there is product."""
    truth = _disc_alpha(radius=420)
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    tab = (np.abs(cols - SIZE // 2) <= 1) & (rows < SIZE // 2 - 420) & (rows > SIZE // 2 - 425)
    photo = _composite(np.maximum(truth, tab), (236, 236, 236), 218.0, noise=3.0)
    gap = cv2.distanceTransform((truth < 0.5).view(np.uint8), cv2.DIST_L2, 5)
    ring = np.flatnonzero(((gap >= 2.5) & (gap <= 4.0) & (np.abs(cols - SIZE // 2) > 40)).ravel())
    lone = np.random.default_rng(5).choice(ring, 60, replace=False)
    photo.reshape(-1, 3)[lone] = 218 + 16
    hard = truth >= 0.5
    backdrop = estimate_backdrop(photo, hard)
    assert backdrop.is_sweep and classic_threshold(backdrop) < 16 * np.sqrt(3)
    matte = refine_edges(photo, hard, truth, backdrop, hard_is_exact=True)
    assert (matte.mask.alpha.ravel()[lone] == 0).all()
    assert (matte.mask.alpha[tab & (gap > 2)] >= 0.5).all()
    assert iou(matte.mask.hard, hard) > 0.995


def test_a_grey_product_s_edge_beside_its_highlight_stays_product() -> None:
    """A grey box with a highlight 40 px inside its right edge, on a bare sweep, its contact shadow
    under it: the edge's pixels are shadow-coloured, and no blend of the sweep and the box's
    nearby colour (lightened by the highlight) explains them, but no shadow lies beside them."""
    truth = _box_alpha()
    cols = np.arange(SIZE, dtype=np.float32)[None, :]
    rows = np.arange(SIZE, dtype=np.float32)[:, None]
    shine = 110.0 * np.exp(-(((cols - 1060) / 20) ** 2 + ((rows - SIZE / 2) / 120) ** 2))
    colour = np.clip(130.0 + shine, 0, 255)[:, :, None] * np.ones(3, np.float32)
    photo = colour * truth[:, :, None] + np.array([226, 220, 212], np.float32) * (1.0 - truth[:, :, None])
    contact = cv2.GaussianBlur(np.roll(truth, 6, axis=0), (0, 0), 4.0) * (rows > SIZE / 2 + 250)
    photo *= 1.0 - 0.3 * (contact * (1.0 - truth))[:, :, None]
    photo += np.random.default_rng(3).normal(0.0, 1.5, photo.shape).astype(np.float32)
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    product = truth >= 0.5
    backdrop = estimate_backdrop(photo, product)
    matte = refine_edges(photo, product, truth, backdrop, hard_is_exact=True)
    assert (product & ~matte.mask.hard).sum() < 50  # judged without the shadow beside: 851 lost
    assert iou(matte.mask.hard, product) > 0.997


def _disc_in_its_shadow(
    shading: np.ndarray | float, cast: np.ndarray, lug: np.ndarray | None = None, noise_seed: int = 11
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A disc (800 px frame, plus `lug`), its tone `shading` times the sweep's (245) brightness, in
    its shadow `cast` (coverage; 0.776 of the sweep where whole), with the camera's noise drawn from
    `noise_seed`: the photo, the sweep's colour, the disc's mask, the shadow's outside it and the
    shadow-coloured pixels."""
    coverage = _disc_alpha(800, radius=200)
    if lug is not None:
        coverage = np.maximum(coverage, lug)
    tone = coverage * shading + (1.0 - coverage) * (1.0 - 0.224 * cast)
    noise = np.random.default_rng(noise_seed).normal(0.0, 1.5, (800, 800, 3))
    photo = np.clip(np.rint(245.0 * tone[:, :, None] + noise), 0, 255).astype(np.uint8)
    back = np.full((800, 800, 3), 245.0, np.float32)
    product = coverage >= 0.5
    return photo, back, product, (cast > 0.5) & ~product, shadow_of(photo.astype(np.float32), back, 4.0)


def _apart(photo: np.ndarray, back: np.ndarray) -> np.ndarray:
    """Pixels farther than 12 levels (RGB distance: the classic threshold the tests pass) from the sweep."""
    return np.linalg.norm(photo.astype(np.float32) - back, axis=2) > 12.0


def _disc_cast(offset_px: int) -> np.ndarray:
    """The shadow the 800 px frame's disc casts `offset_px` down and right, its penumbra 3 px
    (sigma) wide: the coverage `_disc_in_its_shadow` takes as `cast`."""
    shift = np.array([[1, 0, offset_px], [0, 1, offset_px]], np.float32)
    return cv2.GaussianBlur(cv2.warpAffine(_disc_alpha(800, radius=200), shift, (800, 800)), (0, 0), 3.0)


def _hugging_shadow() -> np.ndarray:
    """A shadow all round the 800 px frame's disc, 80 px wide: no part of the disc has an outline
    on the bare sweep."""
    return cv2.GaussianBlur(_disc_alpha(800, radius=280), (0, 0), 3.0)


@pytest.mark.parametrize("noise_seed", [11, 2, 5])
def test_a_tab_of_shadow_left_beside_a_grey_product_in_its_tone_goes_with_the_shadow(noise_seed: int) -> None:
    """The peel took the shadow but a tab of it beside the disc (25 px wide, 40 px deep), which the
    split's line wandered around: 3 levels lighter than the disc (0.764 of the sweep) and as light
    as the shadow around it (cast 90 px down and right), no outline of its own. It goes; the disc
    stays (seed 2026's light-grey star: 993 impure px)."""
    cast = _disc_cast(90)
    photo, back, disc, shadow, shadowy = _disc_in_its_shadow(0.764, cast, noise_seed=noise_seed)
    rows, cols = np.mgrid[0:800, 0:800]
    edge = 400 + 200 / np.sqrt(2)
    tab = shadow & (np.abs(cols - rows) <= 18) & (cols + rows <= 2 * edge + 40 * np.sqrt(2))
    assert 900 < tab.sum() < 1_500
    tabs = _tabs_of_shadow(photo, back, disc | tab, shadow & ~tab, shadowy, 12.0)
    assert tabs[tab].mean() > 0.95
    assert (tabs & disc).sum() < 40  # the edge's blended pixels at most


@pytest.mark.parametrize("noise_seed", [11, 2, 5])
def test_a_tab_of_shadow_out_to_the_shadow_s_rim_goes_but_a_lug_with_its_own_outline_stays(noise_seed: int) -> None:
    """The disc's shadow cast 28 px down and right, and a tab of it left with the disc out to the
    shadow's half-covered line: its end meets the bare sweep along the shadow's rim, a penumbra
    (held-out seed 11's light-grey blob on fabric: 4,934 impure px, its tab's 25 px on the fabric 9
    px sharp). It goes. A lug of the disc in the shadow's tone, sticking out a few px past the
    shadow onto the bare sweep with its own sharp outline, stays: a grey part of the product."""
    cast = _disc_cast(28)
    photo, back, disc, shadow, shadowy = _disc_in_its_shadow(0.764, cast, noise_seed=noise_seed)
    rows, cols = np.mgrid[0:800, 0:800]
    edge = 400 + 200 / np.sqrt(2)
    tab = shadow & (np.abs(cols - rows) <= 18) & (cols + rows <= 2 * edge + 60 * np.sqrt(2))
    bare = ~disc & ~shadow
    assert np.count_nonzero(cv2.dilate(tab.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & bare) >= 30
    tabs = _tabs_of_shadow(photo, back, disc | tab, shadow & ~tab, shadowy, 12.0)
    assert tabs[tab].mean() > 0.95
    assert (tabs & disc).sum() < 40
    lug = np.zeros((800, 800), np.float32)
    lug[(np.abs(cols - rows) <= 10) & (cols + rows <= 2 * edge + 48 * np.sqrt(2))] = 1.0
    lug = cv2.GaussianBlur(lug, (0, 0), 0.7)
    shading = np.where(lug > 0.01, 0.776, 0.764)
    photo, back, product, shadow, shadowy = _disc_in_its_shadow(shading, cast, lug, noise_seed)
    assert (product & ~disc & shadowy).sum() > 0.8 * (product & ~disc).sum()  # in the shadow's tone
    assert _tabs_of_shadow(photo, back, product, shadow, shadowy, 12.0).sum() == 0


def test_a_band_of_a_product_in_its_shadow_s_tone_along_its_edge_is_no_tab() -> None:
    """A metal disc 0.74 of the sweep with a crescent up to 20 px wide along its right edge in its
    shadow's tone (0.776), parted from the rest by a step: flooded from the shadow, the crescent
    is as dark as the shadow and a step off the metal, flat on both sides, but it borders the
    metal as long as the shadow (a band along the edge, not a tab sticking out): it stays."""
    cols = np.arange(800, dtype=np.float32)[None, :] * np.ones((800, 1), np.float32)
    photo, back, product, shadow, shadowy = _disc_in_its_shadow(np.where(cols >= 580, 0.776, 0.74), _hugging_shadow())
    assert _tabs_of_shadow(photo, back, product, shadow, shadowy, 12.0).sum() == 0


@pytest.mark.parametrize(("shaded_px", "noise_seed"), [(6, 0), (10, 0), (20, 11), (20, 1), (40, 0), (60, 3)])
def test_a_lug_in_its_shadow_s_tone_shaded_off_gradually_into_the_metal_is_no_tab(
    shaded_px: int, noise_seed: int
) -> None:
    """A metal disc 0.70 of the sweep with a lug sticking out 70 px into its shadow, in the shadow's
    tone (0.776), the metal's shading rising to it over the `shaded_px` around it: flooded from the
    shadow, the lug sticks out as a tab would and is as dark as the shadow, but the flood's line
    falls somewhere on the slope, where the tone changes by a small share of the step (shading, not
    a step): it stays. The cases at 10, 40 and 60 px and the one at 20 px with noise seed 1 went
    with the shadow when the test was, instead, both sides flat up to the line; the one at 6 px
    when the step was read 0-2 px from the line by distance (214025a; docs/measurements.md)."""
    lug = np.zeros((800, 800), np.float32)
    lug[380:420, 590:670] = 1.0
    lug = cv2.GaussianBlur(lug, (0, 0), 1.0)
    away = cv2.distanceTransform((lug < 0.5).view(np.uint8), cv2.DIST_L2, 5)
    shading = 0.70 + 0.076 * np.clip(1.0 - away / shaded_px, 0, 1)
    photo, back, product, shadow, shadowy = _disc_in_its_shadow(shading, _hugging_shadow(), lug, noise_seed)
    assert _tabs_of_shadow(photo, back, product, shadow, shadowy, 12.0).sum() == 0


@pytest.mark.parametrize(("tone", "noise_seed"), [(0.764, 11), (0.70, 2), (0.84, 5)])
def test_the_outer_end_of_a_peeled_shadow_s_penumbra_left_with_the_product_goes(tone: float, noise_seed: int) -> None:
    """A grey disc (`tone` of the sweep) and its cast shadow 40 px down and right, its penumbra 3 px
    (sigma) wide. The shadow was peeled to where it is half-covering; the penumbra's lighter half
    stayed with the disc where the shadow leaves it, and the mask overshot it by 4 px of bare
    sweep. That half lies on a short way from the shadow to the bare sweep: it goes; the disc, the
    shadow's own tone or not, stays (a metal star's tip, bench-quality seed 2026: 255 impure
    output px)."""
    cast = _disc_cast(40)
    photo, back, disc, shadow, shadowy = _disc_in_its_shadow(tone, cast, noise_seed=noise_seed)
    rows, cols = np.mgrid[0:800, 0:800]
    beyond_disc = rows + cols > 800 + 200 * np.sqrt(2)  # the crescent the shadow shows past it
    lighter_half = (cast > 0.02) & (cast < 0.5) & ~disc & beyond_disc
    overshoot = cv2.dilate(lighter_half.view(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & (cast < 0.5) & ~disc
    product = disc | lighter_half | overshoot
    apart = _apart(photo, back)
    fringe = _penumbra_left_beside(photo, product, shadow, shadowy, apart, 12.0)
    in_shadow_tone = lighter_half & shadowy
    assert in_shadow_tone.sum() > 1_000
    assert fringe[in_shadow_tone].all()
    assert (fringe & disc).sum() <= 10  # where the disc, the shadow and the sweep meet


@pytest.mark.parametrize(("tone", "noise_seed"), [(0.70, 11), (0.64, 2), (0.85, 5)])
def test_a_sliver_of_a_peeled_shadow_along_a_product_s_sharp_edge_goes(tone: float, noise_seed: int) -> None:
    """A grey disc (`tone` of the sweep, its edge sharp: a 1 px blur) and its cast shadow 40 px
    down and right; the shadow was peeled but for a sliver up to 4 px wide along the disc's edge,
    which the mask kept. Flooded from outside the mask and from the disc over the brightness
    slope, the sides meet on the disc's sharp outline: the sliver goes, the disc keeps all but a
    few of its edge's blended pixels (a light-grey blob on fabric, bench-quality seed 2026: 235
    impure output px)."""
    cast = _disc_cast(40)
    photo, back, disc, shadow, shadowy = _disc_in_its_shadow(tone, cast, noise_seed=noise_seed)
    sliver = shadow & cv2.dilate(disc.view(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    assert 2_500 < sliver.sum() < 3_000
    found = _slivers_along_the_edge(photo, back, disc | sliver, shadow & ~sliver, shadowy, _apart(photo, back), 12.0)
    assert found[sliver].mean() > 0.9
    assert (found & disc).sum() <= 30


@pytest.mark.parametrize(("tone", "noise_seed"), [(0.87, 11), (0.95, 2), (0.91, 5)])
def test_a_line_of_shadow_in_a_notch_apart_from_the_peeled_shadow_goes(tone: float, noise_seed: int) -> None:
    """A grey disc (`tone` of the sweep) and its cast shadow 40 px down and right, peeled; on its
    far side the shadow shows as a line 4 px wide along its edge (a notch the cast shadow falls
    into), its penumbra 1 px (sigma), apart from the shadow peeled. The mask held the line and a
    pixel of its penumbra beyond it. The line is darker than the disc beside it and than the sweep:
    flooded from it, the line and its penumbra go, the disc beside it keeps all but a few edge pixels
    (a light-grey blob on fabric, bench-quality seed 2026: 99 impure output px, 1 since)."""
    rows, cols = np.mgrid[0:800, 0:800]
    radius = np.hypot(rows - 400.0, cols - 400.0)
    arc = ((radius >= 200.0) & (radius <= 204.0) & (rows < 400 - 0.7 * 200) & (cols < 400)).astype(np.float32)
    line = cv2.GaussianBlur(arc, (0, 0), 1.0)
    cast = np.maximum(_disc_cast(40), line)
    photo, back, disc, shadow, shadowy = _disc_in_its_shadow(tone, cast, noise_seed=noise_seed)
    held = cv2.dilate((line > 0.5).view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & ~disc
    peeled = shadow & ~cv2.dilate(held.view(np.uint8), np.ones((21, 21), np.uint8)).astype(bool)
    assert 700 < held.sum() < 900
    assert not (cv2.dilate(held.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & peeled).any()
    found = _slivers_along_the_edge(photo, back, disc | held, peeled, shadowy, _apart(photo, back), 12.0)
    assert found[held & (line > 0.5)].mean() > 0.95
    assert found[held].mean() > 0.8
    by_the_line = cv2.dilate((line > 0.05).view(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    assert (found & disc & by_the_line).sum() <= 20  # the edge's blended pixels at most


def test_the_penumbra_beyond_a_line_of_shadow_is_what_lies_nearer_the_mask_s_edge_within_reach() -> None:
    """A straight line of shadow 6 px inside the mask's edge: the band's pixels up to
    SHADOW_LINE_PENUMBRA_PX (3) straight out from it, toward the edge, are its penumbra, none
    deeper in or wide of its ends."""
    inside = np.zeros((40, 40), bool)
    inside[:, :30] = True
    depth = cv2.distanceTransform(inside.view(np.uint8), cv2.DIST_L2, 3)
    lines = np.zeros_like(inside)
    lines[5:35, 24] = True
    beyond = _penumbra_beyond(lines, depth, inside & (depth <= 6))
    assert beyond[10:30, 25:28].all()
    assert not beyond[:, 28:].any() and not beyond[:, :25].any()
    assert beyond.sum() == 3 * 30 + 2 * 3  # and, within a pixel's slack, just past the line's two ends


@pytest.mark.parametrize("noise_seed", [3, 4])
def test_a_grey_product_s_rim_shaded_darker_toward_its_edge_is_no_line_of_shadow(noise_seed: int) -> None:
    """A grey disc (0.87 of the sweep) shaded darker toward its edge, 2 levels a pixel over its
    last 12 px down to 0.77 (a glossy ring's or a metal's rim), its cast shadow (40 px down and
    right) peeled. The rim is darker than the sweep, than the disc's middle by 24 levels and in the
    shadow's tone, but no darker than the disc a pixel or two deeper in: no line of shadow, and
    nothing of the disc goes where it meets the bare sweep (a glossy ring on off-white, held-out
    seed 1, lost 0.04% of itself to a first draft that read it against the disc's middle)."""
    inward = cv2.distanceTransform((_disc_alpha(800, radius=200) >= 0.5).view(np.uint8), cv2.DIST_L2, 5)
    shading = 0.77 + 0.10 * np.clip(inward / 12.0, 0.0, 1.0)
    photo, back, disc, shadow, shadowy = _disc_in_its_shadow(shading, _disc_cast(40), noise_seed=noise_seed)
    rows, cols = np.mgrid[0:800, 0:800]
    far_side = rows + cols < 800  # the half of the disc its shadow does not reach
    rim = disc & far_side & (inward <= 6)
    assert (photo.mean(axis=2)[rim] < 0.87 * 245 - 12).sum() > 2_000
    luma = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.float32)
    bare = ~disc & ~shadow & ~_apart(photo, back)
    lines = _shadow_lines(photo, back, luma, inward, disc & shadowy & (inward <= 6), shadow, bare, 12.0)
    assert (lines & far_side).sum() == 0
    found = _slivers_along_the_edge(photo, back, disc, shadow, shadowy, _apart(photo, back), 12.0)
    assert (found & far_side).sum() == 0


@pytest.mark.parametrize("noise_seed", [1, 2])
def test_a_grey_product_s_soft_edge_beside_its_shadow_keeps_its_rim(noise_seed: int) -> None:
    """The same disc (0.70 of the sweep) out of focus, its edge blurred by 3 px: the sides of the
    flood meet on no sharp line, and the pixels the mask holds beside its shadow stay."""
    coverage = _disc_alpha(800, radius=200, blur=3.0)
    cast = _disc_cast(40)
    tone = coverage * 0.70 + (1.0 - coverage) * (1.0 - 0.224 * cast)
    noise = np.random.default_rng(noise_seed).normal(0.0, 1.5, (800, 800, 3))
    photo = np.clip(np.rint(245.0 * tone[:, :, None] + noise), 0, 255).astype(np.uint8)
    disc = coverage >= 0.5
    shadow = (cast > 0.5) & ~disc
    back = np.full((800, 800, 3), 245.0, np.float32)
    shadowy = shadow_of(photo.astype(np.float32), back, 4.0)
    rim = shadow & cv2.dilate(disc.view(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    assert (
        _slivers_along_the_edge(photo, back, disc | rim, shadow & ~rim, shadowy, _apart(photo, back), 12.0).sum() == 0
    )


def test_lit_sweep_the_mask_held_between_a_product_and_its_peeled_shadow_goes() -> None:
    """A grey disc (0.78 of a 240 sweep) and its shadow peeled beside it, 30 px off: the mask
    held the lit sweep between the two (a metal star's tip, bench-quality seed 2026). In the
    backdrop's colour and brightness and touching the peeled shadow, it goes; a white part 6 levels
    over the sweep beside the shadow, and sweep the mask holds apart from the shadow (enclosed by
    the disc), stay."""
    rows, cols = np.mgrid[0:600, 0:600]
    disc = (rows - 300) ** 2 + (cols - 300) ** 2 <= 150**2
    shadow = (rows >= 240) & (rows < 360) & (cols >= 480) & (cols < 580)
    lit = (rows >= 280) & (rows < 320) & (cols >= 440) & (cols < 480) & ~disc
    white = (rows >= 360) & (rows < 400) & (cols >= 490) & (cols < 550)
    enclosed = (rows >= 280) & (rows < 320) & (cols >= 200) & (cols < 240)
    tone = np.ones((600, 600), np.float32)
    tone[disc & ~enclosed] = 0.78
    tone[shadow] = 0.776
    tone[white] = 1.025
    noise = np.random.default_rng(5).normal(0.0, 1.5, (600, 600, 3))
    photo = np.clip(np.rint(240.0 * tone[:, :, None] + noise), 0, 255).astype(np.uint8)
    product = disc | lit | white
    backdrop = estimate_backdrop(photo, product | shadow)
    back = cv2.resize(backdrop.low, (600, 600), interpolation=cv2.INTER_LINEAR)
    assert classic_threshold(backdrop) == 12.0
    found = _lit_backdrop_beside_shadow(
        product & ~_apart(photo, back), shadow, photo, back, backdrop, band_width((600, 600))
    )
    assert found[lit].mean() > 0.99
    assert not found[white].any()
    assert not found[enclosed].any()
    assert not (found & disc & ~lit).any()
