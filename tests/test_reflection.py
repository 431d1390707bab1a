"""Floor reflections: a product on a glossy floor, its faded mirror image below it, exact truth."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from aefix.stages.backdrop import estimate_backdrop
from aefix.stages.matte import refine_edges
from aefix.stages.reflection import find_reflection, floor_beside
from conftest import ROOT, iou, save_rgb
from photoset import on_glossy_floor

SIZE = 1600


def _rounded_box(
    top: int = 380, bottom: int = 1060, left: int = 420, right: int = 1180, radius: int = 40
) -> np.ndarray:
    """A box with rounded corners and a 1 px optical blur: the true coverage (float32)."""
    shape = np.zeros((SIZE, SIZE), np.uint8)
    cv2.rectangle(shape, (left + radius, top), (right - radius, bottom), 255, -1)
    cv2.rectangle(shape, (left, top + radius), (right, bottom - radius), 255, -1)
    for x in (left + radius, right - radius):
        for y in (top + radius, bottom - radius):
            cv2.circle(shape, (x, y), radius, 255, -1, cv2.LINE_AA)
    return cv2.GaussianBlur(shape.astype(np.float32) / 255.0, (0, 0), 1.0)


def _on_glossy_floor(
    truth: np.ndarray, colour: np.ndarray, backdrop: float, strength: float, fade: float, noise: float = 1.5
) -> tuple[np.ndarray, np.ndarray]:
    """`truth` in `colour` (H x W x 3 float32) standing on a glossy floor of `backdrop` grey
    (photoset.on_glossy_floor), with sensor noise: the photo, and the reflection's opacity."""
    photo, opacity = on_glossy_floor(colour, truth, backdrop, strength, fade)
    photo += np.random.default_rng(5).normal(0.0, noise, photo.shape).astype(np.float32)
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8), opacity


def _taken_in(photo: np.ndarray, product: np.ndarray, opacity: np.ndarray, backdrop: float) -> np.ndarray:
    """`product` and what of its reflection stands out from the sweep: the classical mask takes it in."""
    seen = np.linalg.norm(photo.astype(np.float32) - backdrop, axis=2) > 24
    return product | (seen & (opacity > 0.02))


def _ball(centre: tuple[int, int] = (800, 700), radius: int = 330) -> np.ndarray:
    """A disc with a 1 px optical blur: a ball touching the floor at one point (float32 coverage)."""
    shape = np.zeros((SIZE, SIZE), np.uint8)
    cv2.circle(shape, centre, radius, 255, -1, cv2.LINE_AA)
    return cv2.GaussianBlur(shape.astype(np.float32) / 255.0, (0, 0), 1.0)


def _uniform(rgb: tuple[int, int, int]) -> np.ndarray:
    return np.broadcast_to(np.array(rgb, np.float32), (SIZE, SIZE, 3)).copy()


def _shaded(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> np.ndarray:
    """A colour running from `top` at row 380 to `bottom` at row 1060 (a product lit from above)."""
    share = np.clip((np.arange(SIZE, dtype=np.float32) - 380) / 680, 0, 1)[:, None, None]
    return _uniform(top) * (1 - share) + _uniform(bottom) * share


@pytest.mark.parametrize(
    ("colour", "backdrop", "strength", "fade"),
    [
        ((40, 60, 150), 250.0, 0.35, 0.25),  # a blue box on white acrylic
        ((150, 40, 40), 232.0, 0.2, 0.1),  # a red box on light-grey glass, a weak, short reflection
    ],
)
def test_a_reflection_on_a_glossy_floor_leaves_the_mask_and_the_box_stays_whole(
    colour: tuple[int, int, int], backdrop: float, strength: float, fade: float
) -> None:
    truth = _rounded_box()
    shaded = _shaded(colour, (round(colour[0] * 0.8), round(colour[1] * 0.8), round(colour[2] * 0.8)))
    photo, opacity = _on_glossy_floor(truth, shaded, backdrop, strength, fade)
    product = truth >= 0.5
    taken_in = _taken_in(photo, product, opacity, backdrop)
    reflection = taken_in & ~product & (truth < 0.01)
    assert reflection.sum() > 20_000
    backdrop_model = estimate_backdrop(photo, taken_in)
    found = find_reflection(photo, taken_in, backdrop_model)
    assert (found & product).sum() <= 0.001 * product.sum()
    assert (found & reflection).sum() >= 0.99 * reflection.sum()
    matte = refine_edges(photo, taken_in & ~found, truth, backdrop_model, hard_is_exact=True, not_product=found)
    far = ~cv2.dilate((truth > 0.01).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    assert (matte.mask.alpha[far & (opacity > 0.01)] == 0).all()  # pure white there once composited
    assert iou(matte.mask.hard, product) > 0.995


def _lower_part(upper: np.ndarray, lower: np.ndarray, from_row: int) -> np.ndarray:
    """`upper`'s colour above `from_row`, `lower`'s from there down."""
    return np.where(np.arange(SIZE)[:, None, None] < from_row, upper, lower)


def test_a_ball_s_reflection_leaves_the_mask_though_the_two_touch_at_one_point() -> None:
    """Away from the point where a ball meets the floor, backdrop parts it from its mirror image:
    only a few columns show the step, and the floor is the level row through them."""
    truth = _ball()
    photo, opacity = _on_glossy_floor(truth, _shaded((170, 40, 40), (120, 25, 25)), 246.0, 0.4, 0.3)
    product = truth >= 0.5
    taken_in = _taken_in(photo, product, opacity, 246.0)
    taken_in = cv2.morphologyEx(taken_in.view(np.uint8), cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)).astype(bool)
    reflection = taken_in & (truth < 0.01) & (np.arange(SIZE)[:, None] > 1030)
    assert reflection.sum() > 100_000
    found = find_reflection(photo, taken_in, estimate_backdrop(photo, taken_in))
    assert (found & product).sum() <= 0.001 * product.sum()
    assert (found & reflection).sum() >= 0.99 * reflection.sum()


def _star_on_its_tips(centre: tuple[int, int] = (800, 700), radius: int = 420) -> np.ndarray:
    """A five-pointed star, point up, standing on the tips of its two lower arms (float32 coverage,
    a 1 px optical blur)."""
    angles = np.arange(10) * np.pi / 5 - np.pi / 2
    radii = np.where(np.arange(10) % 2 == 0, radius, radius * 0.45)
    points = np.stack([centre[0] + radii * np.cos(angles), centre[1] + radii * np.sin(angles)], axis=1)
    shape = np.zeros((SIZE, SIZE), np.uint8)
    cv2.fillPoly(shape, [np.rint(points).astype(np.int32)], 255, cv2.LINE_AA)
    return cv2.GaussianBlur(shape.astype(np.float32) / 255.0, (0, 0), 1.0)


def test_a_star_standing_on_its_tips_loses_its_reflection_and_the_floor_filled_between_its_legs() -> None:
    """The glossy floor's light-grey star (bench-reflections): the network filled the gap between its
    legs down to the reflection. Away from the tips a gap of floor parts each leg's slanted edge from
    its mirror image, so no column shows the step; the floor is the row about which what lies below
    mirrors what lies above, floor under floor aside. Then the gap, bare floor, goes too."""
    truth = _star_on_its_tips()
    photo, opacity = _on_glossy_floor(truth, _uniform((195, 197, 194)), 229.0, 0.3, 0.25, noise=1.0)
    product = truth >= 0.5
    floor = int(np.flatnonzero(product.any(axis=1))[-1]) + 1
    rows = np.arange(SIZE)[:, None]
    seen = product | ((opacity > 0.02) & (rows >= floor))
    hull = cv2.convexHull(np.argwhere(seen)[:, ::-1].astype(np.int32))
    filled = np.zeros((SIZE, SIZE), np.uint8)
    cv2.fillConvexPoly(filled, hull, 1)
    legs_meet = 700 + round(420 * 0.45 * np.sin(np.pi / 2))  # the notch between the lower arms
    taken_in = product | (filled.astype(bool) & (rows >= legs_meet))
    gap = taken_in & ~product & (truth < 0.01) & (rows < floor)
    reflection = taken_in & (truth < 0.01) & (rows > floor + 2)
    assert gap.sum() > 30_000 and reflection.sum() > 30_000
    backdrop = estimate_backdrop(photo, taken_in)

    found = find_reflection(photo, taken_in, backdrop)

    assert (found & product).sum() <= 0.001 * product.sum()
    assert (found & reflection).sum() >= 0.99 * reflection.sum(), (found & reflection).sum() / reflection.sum()
    gone = found | floor_beside(photo, taken_in & ~found, found, backdrop)
    assert (gone & product).sum() <= 0.001 * product.sum()
    assert (gone & gap).sum() >= 0.98 * gap.sum(), (gone & gap).sum() / gap.sum()


@pytest.mark.parametrize(
    "colour",
    [
        _lower_part(_uniform((40, 60, 150)), _uniform((130, 150, 215)), 800),
        _lower_part(_uniform((40, 60, 150)), _shaded((120, 135, 200), (200, 205, 235)), 800),
        _lower_part(_uniform((25, 25, 25)), _shaded((130, 130, 130), (180, 180, 180)), 900),
    ],
    ids=["lighter-band", "lighter-band-fading-down", "black-with-grey-sole"],
)
def test_a_product_s_lighter_lower_part_is_no_reflection(colour: np.ndarray) -> None:
    """Weaker copies of the colour above them, but with a sharp lower edge, not fading out."""
    truth = _rounded_box()
    photo, _ = _on_glossy_floor(truth, colour, 248.0, strength=0.0, fade=1.0)
    product = truth >= 0.5
    assert not find_reflection(photo, product, estimate_backdrop(photo, product)).any()


@pytest.mark.model
def test_the_model_and_the_classical_mask_take_a_reflection_in_and_the_cut_out_leaves_it(tmp_path: Path) -> None:
    """u2netp is sure of a box's reflection (0.996 over it, measured) and the classical mask takes it
    in (far from the sweep's colour): before this stage the whole reflection was product."""
    from aefix.imageio import load_image
    from aefix.pipeline import cut_out
    from aefix.segment import RembgSegmenter
    from aefix.settings import Settings

    truth = _rounded_box()
    photo, opacity = _on_glossy_floor(truth, _shaded((40, 60, 150), (30, 45, 120)), 250.0, 0.35, 0.25)
    settings = Settings(models_dir=ROOT / "models")
    segmenter = RembgSegmenter("u2netp", settings.models_dir)
    path = save_rgb(tmp_path / "box-on-acrylic.jpg", photo, quality=90)
    cut = cut_out(load_image(path, settings), settings, lambda: segmenter)
    assert cut.method == "classic+u2netp"
    assert cut.metrics["reflection_removed_share"] > 0.15
    assert "floor reflection below the product removed" in cut.notes
    far = ~cv2.dilate((truth > 0.01).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    reflection = far & (opacity > 0.02)
    assert reflection.sum() > 100_000
    assert (cut.mask.alpha[reflection] == 0).all()
    assert iou(cut.mask.hard, truth >= 0.5) > 0.995


@pytest.mark.model
def test_the_glossy_floor_s_light_grey_star_is_cut_out_without_its_reflection_or_the_gap_between_its_legs(
    tmp_path: Path,
) -> None:
    """bench-reflections' light-grey star on a light-grey floor: the model filled the gap between its
    legs down to the reflection, and no reflection was found (IoU 0.7578, 63,547 impure output px)."""
    from aefix.imageio import load_image
    from aefix.pipeline import cut_out
    from aefix.segment import RembgSegmenter
    from aefix.settings import Settings
    from photoset import reflection_set

    photo = list(reflection_set(seed=2026))[6]
    assert photo.shape == "star" and photo.material == "light-grey"
    settings = Settings(models_dir=ROOT / "models")
    segmenter = RembgSegmenter("u2netp", settings.models_dir)
    path = tmp_path / photo.name
    path.write_bytes(photo.data)
    cut = cut_out(load_image(path, settings), settings, lambda: segmenter)
    assert "floor reflection below the product removed" in cut.notes
    truth = cv2.resize(photo.alpha, cut.mask.alpha.shape[::-1], interpolation=cv2.INTER_AREA) >= 128
    assert iou(cut.mask.hard, truth) > 0.99, iou(cut.mask.hard, truth)  # 0.9986
    far = ~cv2.dilate(truth.view(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    assert np.count_nonzero(cut.mask.alpha[far]) <= 100, np.count_nonzero(cut.mask.alpha[far])
