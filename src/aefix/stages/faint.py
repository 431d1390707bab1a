"""A second look for a product the network could not see: a white or pale one on a light sweep.

u2netp goes by contrast. A white product on a light-grey sweep differs from it by a few grey
levels, and the network then takes the product's shadow, or a speck, for the object (a white star
on grey came out as its own shadow; a white charger as 30 px of its cable: bench-quality, seed
2026). The sweep's model (stages/backdrop.py) makes that difference visible: the photo less its
backdrop, amplified around mid-grey, shows such a product as plainly as any, and the network is
asked again. It is asked only when the first look is doubtful (what it kept is mostly
shadow-coloured, or tiny, or something faint runs on from it: a product found in part), and its
answer counts only where it is new and not itself shadow-coloured; the first look's product is
then dropped when it is the new one's cast shadow.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from aefix.regions import cast_match, components_touching
from aefix.segment import Segmenter, mask_from_soft
from aefix.settings import Settings
from aefix.stages.backdrop import Backdrop, estimate_backdrop
from aefix.stages.cleanup import remove_shadow
from aefix.stages.matte import SHADOW_GAIN_RANGE, backdrop_gain, band_width, classic_product, shadow_of

# The photo's difference from its backdrop is shown to the network this many times stronger: the
# faint products measured 1-4 grey levels off the sweep, which this makes 10-40; a shadow clips to black.
FAINT_GAIN = 10.0
# The first look is doubtful when at least this share of what it kept is the backdrop's colour
# darkened (a shadow, or a grey product), or when it kept under this share of the frame.
DOUBTFUL_SHADOW_SHARE = 0.5
DOUBTFUL_MAX_AREA_SHARE = 0.01
# Before asking the network again: somewhere apart from the first look's product (this many pixels
# of the backdrop model's small copy away), a region of at least FAINT_MIN_REGION_SHARE of the frame
# is off the backdrop by FAINT_MIN_DISTANCE grey levels, or FAINT_NOISE_FACTOR times the copy's
# typical distance, and not darker than it. Measured on bench-quality (seed 2026): the faint star
# 4.3% of the frame, the faint charger 7.8%; 12 of the other 20 doubtful photos (grey, metal and
# glass products) at most 0.11%; the 8 let through, 1.5-7.3%, found nothing new on their second look.
FAINT_MIN_DISTANCE = 2.0
FAINT_NOISE_FACTOR = 4.0
FAINT_MIN_REGION_SHARE = 0.01
# And a region of at least this share is off the sweep's smooth model (Backdrop.smooth) the same
# way. Beside a contact shadow the local model dips, and the bare sweep around the dip reads faint
# against it: a ring, which sent those 8 (and 7 of make bench's 50 model photos) to a second look.
# Against the smooth model the rings measured at most 0.02% of the frame (28 photos of seeds 2026,
# 3 and 11); the four faint products that keep their look 1.0-10.3% (the charger the least).
FAINT_MIN_SMOOTH_SHARE = 0.001
# A first look's product that is not doubtful gets a second look when a region of at least this
# share of the frame runs on from it off the smooth model the same way. bench-quality seeds 2026, 1
# and 11 (the largest region off it, joined or apart): a white bottle on a gradient that lost its
# neck and shoulders (20-24% of it) 0.021 twice; every other such photo at most 0.004, most 0.
PART_MIN_SMOOTH_SHARE = 0.01
FAINT_APART_PX = 2
# The second look counts when what it finds apart from the first look's product is at least this
# share of that product and of the frame, and at most this share of it is shadow-coloured.
NEW_MIN_SHARE_OF_FIRST = 0.5
NEW_MIN_FRAME_SHARE = 0.002
NEW_MAX_SHADOW_SHARE = 0.3
# The first look's product is the new product's cast shadow when the new one, shifted, covers it
# this well (intersection over union, as the compliance check's hard-shadow test measures it).
CAST_MIN_IOU = 0.4
CAST_SIDE_PX = 256
CAST_MAX_SHIFT_SHARE = 0.1
OPENING_PX = 5


@dataclass(frozen=True)
class SecondLook:
    """The product found on the second look, the network's confidence on the stretched photo (less
    the shadows it was unsure of), and the backdrop measured around it."""

    product: np.ndarray
    soft: np.ndarray
    backdrop: Backdrop
    dropped_shadow: bool  # the first look's product was the new product's cast shadow


def is_doubtful(product: np.ndarray, backdrop: Backdrop) -> bool:
    """Whether the first look's product on a sweep may be a faint product's shadow, or a piece of
    it, with something faint beside it that is worth a second look: off the local backdrop model
    and off its smooth one too (the ring around a shadow's dip in the local model is only the former).

    Judged on the backdrop model's small copy (about 256 px across), which estimate_backdrop made:
    where judging at the working size took 21 ms a photo (make bench's inputs, cProfile)."""
    low, small = backdrop.low, backdrop.small
    cover = cv2.resize(
        product.view(np.uint8) * np.uint8(255), (low.shape[1], low.shape[0]), interpolation=cv2.INTER_AREA
    )
    # The small copy's pixels the product covers at all, and those FAINT_APART_PX from them.
    near = cv2.dilate((cover > 0).view(np.uint8), np.ones((2 * FAINT_APART_PX + 1,) * 2, np.uint8)).astype(bool)
    if near.all():
        return False
    if float(cover.mean()) >= 255.0 * DOUBTFUL_MAX_AREA_SHARE:
        inside = cover >= 128 if (cover >= 128).any() else cover > 0  # a thin product: every pixel it touches
        shadowy = shadow_of(small, low, backdrop.noise)
        if float(shadowy[inside].mean()) < DOUBTFUL_SHADOW_SHARE:
            # A product the first look found in part: the rest of it runs on from it, faint (a
            # white bottle's neck where a gradient passes its tone). Apart from it, something
            # faint is no part of it, and a product not shadow-coloured is trusted.
            return _faint_region_share(small, backdrop.smooth, near, joined=True) >= PART_MIN_SMOOTH_SHARE
    return (
        _faint_region_share(small, low, near) >= FAINT_MIN_REGION_SHARE
        and _faint_region_share(small, backdrop.smooth, near) >= FAINT_MIN_SMOOTH_SHARE
    )


def _faint_region_share(small: np.ndarray, model: np.ndarray, near: np.ndarray, joined: bool = False) -> float:
    """Share of the frame of the largest region apart from the product (`near`: the small copy's
    pixels at or beside it), or only of those running on from it when `joined`, that is off the
    backdrop `model` and not darker than it, on the small copy `small` (float32, the size of `model`)."""
    distance = np.linalg.norm(small - model, axis=2)
    level = max(FAINT_MIN_DISTANCE, FAINT_NOISE_FACTOR * float(np.median(distance[~near])))
    faint = (distance > level) & (backdrop_gain(small, model) >= SHADOW_GAIN_RANGE[1]) & ~near
    faint = cv2.morphologyEx(faint.view(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    if joined:
        faint = components_touching(faint, cv2.dilate(near.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool))
    count, _, stats, _ = cv2.connectedComponentsWithStats(faint.view(np.uint8), connectivity=8)
    return float(stats[1:, cv2.CC_STAT_AREA].max()) / faint.size if count > 1 else 0.0


def stretched(rgb: np.ndarray, backdrop: Backdrop, max_side_px: int) -> np.ndarray:
    """The photo's difference from its backdrop, FAINT_GAIN times, around mid-grey (uint8), at most
    `max_side_px` across: the network's own input size, and averaging the copy down quiets its noise."""
    height, width = rgb.shape[:2]
    scale = min(1.0, max_side_px / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = rgb if scale == 1.0 else cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    back = cv2.resize(backdrop.low, size, interpolation=cv2.INTER_LINEAR)
    return np.clip(128.0 + FAINT_GAIN * (small.astype(np.float32) - back), 0, 255).astype(np.uint8)


def second_look(
    rgb: np.ndarray, product: np.ndarray, backdrop: Backdrop, segmenter: Segmenter, settings: Settings
) -> SecondLook | None:
    """The product as the network sees it on the stretched photo, when that finds something the
    first look (`product`) missed; None when it finds nothing new."""
    height, width = product.shape
    soft = segmenter.predict(stretched(rgb, backdrop, settings.segment_max_side_px))
    if soft.shape != product.shape:
        soft = cv2.resize(soft, (width, height), interpolation=cv2.INTER_LINEAR)
    band = band_width(product.shape)
    near_first = cv2.dilate(product.view(np.uint8), np.ones((2 * band + 1,) * 2, np.uint8)).astype(bool)
    opening = np.ones((OPENING_PX, OPENING_PX), np.uint8)
    found = cv2.morphologyEx(((soft >= 0.5) & ~near_first).view(np.uint8), cv2.MORPH_OPEN, opening).astype(bool)
    new = _not_shadow_coloured(rgb, found, backdrop)
    # What the network's mask joins to the first look's product is the rest of it, however small
    # a share (the bottle's neck, a fifth of it); apart from it, a find must be at least
    # NEW_MIN_SHARE_OF_FIRST of it, as a product the first look took its shadow for is.
    joined = (new & components_touching(soft >= 0.5, product)).any()
    least = NEW_MIN_FRAME_SHARE * product.size
    if int(new.sum()) < (least if joined else max(NEW_MIN_SHARE_OF_FIRST * product.sum(), least)):
        return None
    coarse = remove_shadow(rgb, mask_from_soft(soft), settings).mask
    around = estimate_backdrop(rgb, coarse.hard | product)
    second = classic_product(rgb, coarse.hard, coarse.soft, around)
    # A product at the sweep's own noise (a white charger, 1 level off) is bare backdrop to the
    # colour test; the network's mask, which found it, stands for it.
    second |= components_touching(coarse.hard, new)
    shade = np.zeros_like(second)
    shade[second] = _shadow_coloured(rgb, second, around)
    shade = cv2.morphologyEx(shade.view(np.uint8), cv2.MORPH_OPEN, opening).astype(bool)
    # The shadows the network saw apart from the new product go (the charger's, at 2000 px).
    second &= ~components_touching(shade, found & ~new)
    # The new product without the bits of its shadow the network joined to it (it saw the star's
    # shadow between its legs too, apart from the part the first look had).
    body = new & ~shade
    match, (rows, cols) = (
        cast_match(body, product, CAST_SIDE_PX, CAST_MAX_SHIFT_SHARE) if product.any() else (0.0, (0, 0))
    )
    dropped = match >= CAST_MIN_IOU
    if dropped:
        # Where the new product's shadow falls, by the shift that matched: every shadow-coloured
        # piece there goes, and the first look's product with them.
        shift = np.array([[1, 0, cols], [0, 1, rows]], np.float32)
        falls = cv2.warpAffine(body.view(np.uint8), shift, (width, height), flags=cv2.INTER_NEAREST).astype(bool)
        second &= ~components_touching(shade, product | (falls & ~body))
    else:
        second |= product
    if not second.any():  # all of it shadow after all: the first look stands
        return None
    return SecondLook(second, coarse.soft, around, dropped)


def _not_shadow_coloured(rgb: np.ndarray, found: np.ndarray, backdrop: Backdrop) -> np.ndarray:
    """The parts of `found` of which at most NEW_MAX_SHADOW_SHARE is shadow-coloured. Judged part by
    part: on a 2000 px photo the network saw a white charger and, apart from it, the charger's
    cast shadow; judged as a whole, the pair was 39% shadow and the charger was lost."""
    count, labels = cv2.connectedComponents(found.view(np.uint8), connectivity=8)
    if count <= 1:
        return found
    parts = labels[found]
    shadowy = np.bincount(parts, weights=_shadow_coloured(rgb, found, backdrop), minlength=count)
    kept = shadowy <= NEW_MAX_SHADOW_SHARE * np.bincount(parts, minlength=count)
    kept[0] = False
    return kept[labels]


def _shadow_coloured(rgb: np.ndarray, mask: np.ndarray, backdrop: Backdrop) -> np.ndarray:
    """Per pixel of `mask` (in row-major order): whether it is the backdrop's colour darkened."""
    rows, cols = np.nonzero(mask)
    pixels = rgb[rows, cols].astype(np.float32)[None]
    return shadow_of(pixels, backdrop.at(rows, cols)[None], backdrop.noise)[0]
