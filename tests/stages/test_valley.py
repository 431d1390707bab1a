"""The shadow's valley beside a lighter product: the mask moved back from its penumbra, and what is
no such shadow left alone."""

from __future__ import annotations

import cv2
import numpy as np

from aefix.stages.valley import trim_shadow_valleys
from conftest import dilate, drawn_star, iou

SIZE = 400
WHITE = 250.0


def _star(centre: tuple[float, float], radius: float) -> np.ndarray:
    return drawn_star((SIZE, SIZE), centre, radius)


def _photo(
    product: np.ndarray, tone: float, shade: np.ndarray | None, penumbra_px: float, edge_px: float = 0.7
) -> np.ndarray:
    """`product` in grey `tone` on a white sweep that `shade` darkens to 0.72 under a penumbra of
    `penumbra_px` (sigma), the product's own edge blurred by `edge_px`; sensor noise of 1 level."""
    back = np.full((SIZE, SIZE), WHITE, np.float32)
    if shade is not None:
        back *= 1.0 - 0.28 * cv2.GaussianBlur(shade.astype(np.float32), (0, 0), penumbra_px)
    cover = cv2.GaussianBlur(product.astype(np.float32), (0, 0), edge_px)
    grey = cover * tone + (1.0 - cover) * back
    photo = np.repeat(grey[:, :, None], 3, axis=2) + np.random.default_rng(3).normal(0.0, 1.0, (SIZE, SIZE, 3))
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8)


def _taken_as(mask: np.ndarray) -> np.ndarray:
    """The mask as the matte hands it on: opaque inside, a 2 px ramp at its edge."""
    inside = cv2.distanceTransform(mask.view(np.uint8), cv2.DIST_L2, 5)
    return np.clip(inside / 2.0, 0.0, 1.0).astype(np.float32)


def test_a_cast_shadows_wedge_taken_with_a_light_grey_star_goes_and_the_star_stays() -> None:
    star = _star((210.0, 215.0), 150.0)
    cast = _star((198.0, 205.0), 150.0)  # the shadow falls up and left: a wedge beside two arms
    wedge = cast & ~star
    rgb = _photo(star, 200.0, cast, 3.0)  # the shadow's floor (180) under the star (200)
    # The mask ran out over the wedge, as a shadow-coloured piece with the star (bench-quality's 035).
    taken = star | (wedge & ~dilate(~cast, 2))
    alpha = _taken_as(taken)
    background = ~dilate(star, 2)
    assert np.count_nonzero(background & (alpha > 0)) > 1500
    trimmed = trim_shadow_valleys(rgb, alpha, rgb)
    assert trimmed is not None
    kept = background & (trimmed.alpha > 0)
    # What stays are the shadow's tips past the star's own (no star beyond them to step up to).
    assert np.count_nonzero(kept) < 0.15 * np.count_nonzero(background & (alpha > 0))
    assert iou(trimmed.alpha >= 0.5, star) > 0.985
    assert iou(alpha >= 0.5, star) < 0.9
    assert np.all(trimmed.alpha <= alpha)  # only ever takes away
    # The star's own pixels stay opaque past the step.
    assert np.all(trimmed.alpha[~dilate(~star, 3)] == alpha[~dilate(~star, 3)])
    # Over the step, alpha ramps by tone and the colour is the star's, not the shadow's mix.
    ramp = (trimmed.alpha > 0.0) & (trimmed.alpha < 1.0) & (trimmed.alpha < alpha)
    assert np.count_nonzero(ramp) > 100
    assert np.abs(trimmed.colour[ramp].astype(np.float32) - 200.0).mean() < 4.0
    assert trimmed.removed_px == int(((alpha >= 0.5) & (trimmed.alpha < 0.5)).sum())


def test_a_dark_rim_with_a_sharp_outline_is_no_shadow() -> None:
    # A glass ring's rim: darker than the glass inside it, but its outer edge is the outline, sharp.
    disc = _star((200.0, 200.0), 150.0)
    inner = ~dilate(~disc, 8)
    rgb = _photo(disc, 175.0, None, 1.0)
    rgb[inner] = np.clip(rgb[inner].astype(np.int16) + 30, 0, 255).astype(np.uint8)  # lighter inside
    assert trim_shadow_valleys(rgb, _taken_as(disc), rgb) is None


def test_a_strap_darker_in_its_middle_has_no_product_past_its_valley() -> None:
    strap = np.zeros((SIZE, SIZE), bool)
    strap[40:360, 190:206] = True  # 16 px wide: the other edge lies within reach of the first
    body = np.zeros((SIZE, SIZE), bool)
    body[300:380, 60:340] = True
    # An edge as soft as a penumbra (bench-quality's metal strap on a gradient, 4 px wide).
    rgb = _photo(strap | body, 205.0, None, 1.0, edge_px=2.5)
    middle = np.zeros((SIZE, SIZE), bool)
    middle[40:300, 195:201] = True
    rgb[middle] -= 12  # the strap's rounded middle, in shade
    assert trim_shadow_valleys(rgb, _taken_as(strap | body), rgb) is None


def test_a_dark_product_over_its_lighter_shadow_is_left_alone() -> None:
    # No valley: from a dark product the tone rises on through its shadow to the sweep.
    star = _star((200.0, 210.0), 150.0)
    cast = _star((188.0, 200.0), 150.0)
    rgb = _photo(star, 60.0, cast, 3.0)
    assert trim_shadow_valleys(rgb, _taken_as(star | (cast & ~dilate(~cast, 2))), rgb) is None


def test_a_tinted_glass_rim_beside_its_shadow_is_no_shadows_floor() -> None:
    # A blue glass ring's rim, darker than the glass inside it, with its cast shadow just outside:
    # rim and shadow read as one soft valley in brightness, but a shadow keeps the sweep's hue.
    disc = _star((200.0, 200.0), 150.0)
    rim = disc & ~dilate(~disc, 8)
    cast = _star((209.0, 208.0), 150.0)
    grey = _photo(np.zeros_like(disc), 0.0, cast, 3.0).astype(np.float32)
    cover = cv2.GaussianBlur(disc.astype(np.float32), (0, 0), 2.5)[:, :, None]  # glass: a soft edge
    glass = np.where(rim[:, :, None], [110.0, 150.0, 185.0], [150.0, 200.0, 235.0]).astype(np.float32)
    rgb = np.clip(np.rint(cover * glass + (1.0 - cover) * grey), 0, 255).astype(np.uint8)
    assert trim_shadow_valleys(rgb, _taken_as(disc), rgb) is None
