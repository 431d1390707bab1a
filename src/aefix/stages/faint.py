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

A thin part too faint for the colour test (a pale cable, a few levels off the sweep) may run on
from a product that was found: `faint_thin_parts` finds it by its tint, on the photo averaged.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from aefix.pixels import masked_average
from aefix.regions import cast_match, components_touching, label_maxima
from aefix.segment import Segmenter, mask_from_soft
from aefix.settings import Settings
from aefix.stages.backdrop import Backdrop, estimate_backdrop, sample_low, tint_length
from aefix.stages.cleanup import remove_shadow
from aefix.stages.matte import (
    SHADOW_GAIN_RANGE,
    backdrop_gain,
    band_width,
    bare_parts,
    classic_product,
    shadow_of,
)

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
# share of the frame runs on from it off the smooth model the same way (read as below). On the 526
# photos of bench-quality seeds 2026, 1, 3, 5, 7, 9 and 11, make bench's 50 and the glossy floor's
# 28, every first look that is not shadow-coloured measures 0 but five: a white bottle on a gradient
# that lost its neck and shoulders 0.020 and 0.021, a white star found in half 0.013, a metal bag's
# reflection 0.022, and a white ball on light grey whose dim side, 4 levels off the sweep, the
# network left out (held-out seed 5: 5.9% of the ball) 0.006: a crescent up to 10 copy px wide, of
# which the 2 px apart from the first look are not read. At 0.01 the ball had no second look.
PART_MIN_SMOOTH_SHARE = 0.004
# That region is read on the small copy averaged over this many of its pixels: its noise then sets
# the typical distance, and a faint product's offset, the same over all of it, stays. Held-out
# seed 3's white star on light grey, found in part, ran on 3.2 levels off the smooth model against
# a level of 3.8 (4 times the copy's typical 0.95); averaged, 3.3 against 2.0 (typical 0.32).
# Only there: averaged, the tests for a region apart from a shadow-coloured first look sent four
# light-grey and metal products of seeds 2026 and 7 to second looks that found nothing (0.45-0.65 s
# each), their smooth share crossing FAINT_MIN_SMOOTH_SHARE (0-0.04% -> 0.10-0.30% of the frame).
PART_SIGMA_PX = 1.0
# Such a region is a body: wider from its middle to its edge than the widest thin part that
# `faint_thin_parts` takes (THIN_MAX_HALF_WIDTH_PX, at the working size), which finds a pale cable
# running on from its charger at four times the copy's resolution; here a second look lost the
# stretch of held-out seed 9's white charger's cable over its shadow (IoU 0.9504 -> 0.8891). On the
# copy, averaged, a thin part reads up to this many of its px wider: that cable, 4 px from its
# middle to its edge (1 copy px), read 3.8. The bottles' necks and shoulders (seeds 1 and 11) read
# 9.0 and 11.5 copy px against a limit of 5.0; seed 3's white star's unseen half 6.7 against 5.0.
PART_WIDENING_PX = 3.0
FAINT_APART_PX = 2
# The second look counts when what it finds apart from the first look's product is at least this
# share of that product and of the frame, and at most this share of it is shadow-coloured.
NEW_MIN_SHARE_OF_FIRST = 0.5
NEW_MIN_FRAME_SHARE = 0.002
NEW_MAX_SHADOW_SHARE = 0.3
# A piece of a part mostly shadow (`_pieces_of_their_own_colour`) counts only when, averaged over
# it, it is lighter than the sweep's smooth model, or holds a tint of its own off it, by at least
# this many levels (RGB distance): a neutral darkening is a shadow's or a reflection's faint end
# (the glossy floor's metal star: its mirror image's fading tail, tint 0.16-0.26 at a gain of
# 0.983-0.989, in pieces of 3,300-14,877 px); held-out seed 3's white star's unseen half 2.06.
PIECE_MIN_TINT = 1.0
# The first look's product is the new product's cast shadow when the new one, shifted, covers it
# this well (intersection over union, as the compliance check's hard-shadow test measures it).
CAST_MIN_IOU = 0.4
CAST_SIDE_PX = 256
CAST_MAX_SHIFT_SHARE = 0.1
OPENING_PX = 5
# A faint thin part (faint_thin_parts) is read on a copy at most THIN_SIDE_PX across, averaged over
# THIN_SIGMA_PX at the working size (THIN_MIN_SIGMA_PX on the copy at least). Its tint stands out at
# THIN_TINT_FACTOR times the backdrop's median tint there (from every THIN_SAMPLE_STEP-th backdrop
# pixel), and THIN_MIN_TINT levels at least: the white charger's cable measured 1.4-1.9 levels.
# Not on a backdrop grained over THIN_MAX_NOISE (Backdrop.noise): a tint along a line there is as
# likely the grain's (held-out seed 3's wooden table, noise 20.2: a streak of grain in a cast
# shadow ran 16% of the frame from a star, 13 px wide). The cable photos' sweeps, gradients and
# fabric measured 1.0-9.7; bench-quality's light tables 8.8-20.2.
THIN_MAX_NOISE = 12.0
THIN_SIDE_PX = 1000
THIN_SIGMA_PX = 2.0
THIN_MIN_SIGMA_PX = 1.0
THIN_TINT_FACTOR = 4.0
THIN_MIN_TINT = 1.0
THIN_SAMPLE_STEP = 7
# It is at most this many px (at the working size) from its middle to its edge, and runs from the
# product at least this share of the copy's longer side, and this many times that half-width.
# Measured on that copy, bench-quality seeds 2026, 1, 3, 7 and 11: the nine lost stretches of cable
# found ran 11.4-29.0% of the side, 18.1-88.6 times their half-width; the regions that touched a
# product on nine photos with no cable (JPEG's smear of a dark ring's colour; noise over shadows'
# edges on gradients, where the backdrop's model is a level off) at most 10.4% of it, and 8.7 times
# theirs.
THIN_MAX_HALF_WIDTH_PX = 16
THIN_MIN_REACH_SHARE = 0.08
THIN_MIN_ELONGATION = 12.0
# The tint along a part's middle is read after this blur (px, on the copy): the noise's highs would
# put it too high, and the part's edge inside the truth.
THIN_PEAK_SIGMA_PX = 1.0
# The part's edge is where its tint is this share of the tint along its middle, not half: averaged,
# a part a few pixels wide reads over half its middle's tint at its true edge (a 6 px cable blurred
# by 2 px, 0.58). Across that edge the confidence rises this many times as fast as the tint's share,
# so that the edge step's ramp (the network's 0.3-0.7) spans a share of 0.5-0.7. bench-quality's
# light-grey charger on light grey, held-out seed 3: 1,106 impure output px at a half and a ramp as
# slow as the share; 2 at these, as before any was found, with its whole cable kept.
THIN_EDGE_SHARE = 0.6
THIN_EDGE_GAIN = 2.0


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
            body_px = THIN_MAX_HALF_WIDTH_PX * low.shape[0] / product.shape[0] + PART_WIDENING_PX
            share = _faint_region_share(small, backdrop.smooth, near, joined=True, sigma=PART_SIGMA_PX, body_px=body_px)
            return share >= PART_MIN_SMOOTH_SHARE
    return (
        _faint_region_share(small, low, near) >= FAINT_MIN_REGION_SHARE
        and _faint_region_share(small, backdrop.smooth, near) >= FAINT_MIN_SMOOTH_SHARE
    )


def _faint_region_share(
    small: np.ndarray,
    model: np.ndarray,
    near: np.ndarray,
    joined: bool = False,
    sigma: float = 0.0,
    body_px: float = 0.0,
) -> float:
    """Share of the frame of the largest region apart from the product (`near`: the small copy's
    pixels at or beside it), or only of those running on from it when `joined`, that is off the
    backdrop `model` and not darker than it, on the small copy `small` (float32, the size of `model`),
    averaged over `sigma` px where that is given; only of those `body_px` or more from their middle
    to their edge, where that is given."""
    if sigma:
        small = cv2.GaussianBlur(small, (0, 0), sigma)
    distance = np.linalg.norm(small - model, axis=2)
    level = max(FAINT_MIN_DISTANCE, FAINT_NOISE_FACTOR * float(np.median(distance[~near])))
    faint = (distance > level) & (backdrop_gain(small, model) >= SHADOW_GAIN_RANGE[1]) & ~near
    faint = cv2.morphologyEx(faint.view(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    if joined:
        faint = components_touching(faint, cv2.dilate(near.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool))
    plane = faint.view(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(plane, connectivity=8)
    if count <= 1:
        return 0.0
    areas = stats[:, cv2.CC_STAT_AREA]
    if body_px:
        middles = label_maxima(labels, count, plane > 0, cv2.distanceTransform(plane, cv2.DIST_L2, 3))
        areas = np.where(middles >= body_px, areas, 0)
    return float(areas[1:].max()) / faint.size


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
    # The shadows the network saw apart from the new product go (the charger's, at 2000 px), and
    # the thin rims they leave within a band: the penumbra's light side, not shadow-coloured, and
    # lit sweep the network's 320 px mask ran over beside it (held-out seed 3's white star: 2,443
    # -> 774 impure output px). What is then apart from both looks' products goes with them.
    gone = components_touching(shade, found & ~new)
    second &= ~gone
    beside_gone = cv2.dilate(gone.view(np.uint8), np.ones((2 * band + 1,) * 2, np.uint8)).astype(bool)
    second &= ~beside_gone | cv2.morphologyEx(second.view(np.uint8), cv2.MORPH_OPEN, opening).astype(bool)
    second = components_touching(second, new | product)
    # The new product without the bits of its shadow the network joined to it (it saw the star's
    # shadow between its legs too, apart from the part the first look had).
    body = new & ~shade
    match, (rows, cols) = (
        cast_match(body, product, CAST_SIDE_PX, CAST_MAX_SHIFT_SHARE) if product.any() else (0.0, (0, 0))
    )
    # A shadow is shadow-coloured: a first look that found a part of a product (its half beside
    # the new half, as alike in shape shifted as a cast shadow) is no shadow.
    dropped = match >= CAST_MIN_IOU and float(_shadow_coloured(rgb, product, backdrop).mean()) >= DOUBTFUL_SHADOW_SHARE
    if dropped:
        # Where the new product's shadow falls, by the shift that matched: every shadow-coloured
        # piece there goes, and the first look's product with them.
        shift = np.array([[1, 0, cols], [0, 1, rows]], np.float32)
        falls = cv2.warpAffine(body.view(np.uint8), shift, (width, height), flags=cv2.INTER_NEAREST).astype(bool)
        second &= ~components_touching(shade, product | (falls & ~body))
    else:
        # Of the first look, what the network holds none of on the stretched photo and is bare sweep
        # by its medians goes: it ran over the sweep beside a product the colour test cannot part
        # from it (held-out seed 5's white ball, 4 levels off the sweep: 11,517 impure output px).
        # A pale cable's stretch that the network misses keeps a tint, and stays.
        second |= product & ~bare_parts(rgb, product & (soft < 0.5), around)
    if not second.any():  # all of it shadow after all: the first look stands
        return None
    return SecondLook(second, coarse.soft, around, dropped)


def _not_shadow_coloured(rgb: np.ndarray, found: np.ndarray, backdrop: Backdrop) -> np.ndarray:
    """The parts of `found` of which at most NEW_MAX_SHADOW_SHARE is shadow-coloured, and of the
    others their pieces that are not (opened by OPENING_PX), each at least NEW_MIN_FRAME_SHARE of
    the frame. Judged part by part: on a 2000 px photo the network saw a white charger and, apart
    from it, the charger's cast shadow; judged as a whole, the pair was 39% shadow and the charger
    was lost. Asked again on held-out seed 3's white star on light grey, it drew the star's unseen
    half and the star's cast shadow as one part, 53% shadow-coloured, and the half was lost."""
    count, labels = cv2.connectedComponents(found.view(np.uint8), connectivity=8)
    if count <= 1:
        return found
    shadowy = np.zeros_like(found)
    shadowy[found] = _shadow_coloured(rgb, found, backdrop)
    parts = labels[found]
    areas = np.maximum(np.bincount(parts, minlength=count), 1)  # label 0, the rest of the frame, has none here
    shadow_share = np.bincount(parts, weights=shadowy[found], minlength=count) / areas
    kept = shadow_share <= NEW_MAX_SHADOW_SHARE
    kept[0] = False
    whole = kept[labels]
    clear = found & ~shadowy & ~whole
    clear = cv2.morphologyEx(clear.view(np.uint8), cv2.MORPH_OPEN, np.ones((OPENING_PX, OPENING_PX), np.uint8))
    return whole | _pieces_of_their_own_colour(rgb, clear.astype(bool), backdrop)


def _pieces_of_their_own_colour(rgb: np.ndarray, clear: np.ndarray, backdrop: Backdrop) -> np.ndarray:
    """The pieces (8-connected) of `clear` of NEW_MIN_FRAME_SHARE of the frame or more whose colour,
    averaged over each, is lighter than the sweep's smooth model, or has a tint off it, by
    PIECE_MIN_TINT or more."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(clear.view(np.uint8), connectivity=8)
    large = stats[:, cv2.CC_STAT_AREA] >= NEW_MIN_FRAME_SHARE * clear.size
    large[0] = False
    if not large.any():
        return np.zeros_like(clear)
    pieces = large[labels]
    rows, cols = np.nonzero(pieces)
    which = labels[rows, cols]
    sweep = sample_low(backdrop.smooth, backdrop.shape, rows, cols)
    area = np.maximum(stats[:, cv2.CC_STAT_AREA], 1)[:, None]
    # One row of pieces: each one's average colour, and the sweep's under it.
    colour = (np.stack([np.bincount(which, rgb[rows, cols, c], count) for c in range(3)], 1) / area)[None]
    back = (np.stack([np.bincount(which, sweep[:, c], count) for c in range(3)], 1) / area)[None]
    colour, back = colour.astype(np.float32), back.astype(np.float32)
    lighter = (backdrop_gain(colour, back) - 1.0) * np.linalg.norm(back, axis=2)
    kept = large & ((lighter >= PIECE_MIN_TINT) | (tint_length(colour, back) >= PIECE_MIN_TINT))[0]
    return kept[labels]


def _shadow_coloured(rgb: np.ndarray, mask: np.ndarray, backdrop: Backdrop) -> np.ndarray:
    """Per pixel of `mask` (in row-major order): whether it is the backdrop's colour darkened."""
    rows, cols = np.nonzero(mask)
    pixels = rgb[rows, cols].astype(np.float32)[None]
    return shadow_of(pixels, backdrop.at(rows, cols)[None], backdrop.noise)[0]


def faint_thin_parts(rgb: np.ndarray, product: np.ndarray, backdrop: Backdrop) -> np.ndarray:
    """Thin parts running on from `product` (on a sweep) that only their tint sets off it: how
    sure each pixel is to be one (0-1; 0 elsewhere), to stand in for the network's confidence.

    Where a pale cable's shading fades it is 1-12 levels off a light sweep: under the colour
    test's threshold (`classic_threshold`, 12 at least), and the network does not see it
    (bench-quality's light-grey and white chargers on light grey lost 30% and 77% of their
    cables). Averaged over a few pixels, without the product's own pixels, the photo's colour
    less the backdrop's darkened to match it (a shadow's colour: nil) stands far out of the
    noise along such a part. A part is kept when it is thin, touches the product and runs a long
    way from it for its width; its edge is where its tint falls to 0.6 of the tint along its middle.
    Not on a grained backdrop (a table), whose grain has a tint of its own.
    """
    height, width = product.shape
    if backdrop.noise > THIN_MAX_NOISE:
        return np.zeros(product.shape, np.float32)
    # Read on a copy at most THIN_SIDE_PX across (averaging anyway; a quarter of the work at 2000 px),
    # averaged over its pixels with no product in them, so the product's colour does not bleed out.
    scale = min(1.0, THIN_SIDE_PX / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small: np.ndarray = rgb
    cover: np.ndarray = product.view(np.uint8)
    if scale < 1.0:
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        cover = cv2.resize(cover * np.uint8(255), size, interpolation=cv2.INTER_AREA)
    sigma = max(THIN_MIN_SIGMA_PX, THIN_SIGMA_PX * scale)
    averaged, _ = masked_average(small.astype(np.float32), (cover == 0).astype(np.float32), sigma)
    tint = tint_length(averaged, cv2.resize(backdrop.low, size, interpolation=cv2.INTER_LINEAR))
    inside = (cover >= 128) if scale < 1.0 else product  # the copy's pixels at least half product
    band = max(1, round(band_width(product.shape) * scale))
    near = cv2.dilate(inside.view(np.uint8), np.ones((2 * band + 1,) * 2, np.uint8)).astype(bool)
    level = max(THIN_MIN_TINT, THIN_TINT_FACTOR * float(np.median(tint[~near][::THIN_SAMPLE_STEP])))
    beside = cv2.dilate(inside.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    joined = components_touching((tint > level) & ~inside, beside)
    if not joined.any():
        return np.zeros(product.shape, np.float32)
    count, labels = cv2.connectedComponents(joined.view(np.uint8), connectivity=8)
    widest = label_maxima(labels, count, joined, cv2.distanceTransform(joined.view(np.uint8), cv2.DIST_L2, 3))
    reach = label_maxima(labels, count, joined, cv2.distanceTransform((~inside).view(np.uint8), cv2.DIST_L2, 3))
    max_half_width = THIN_MAX_HALF_WIDTH_PX * scale
    kept = (
        (widest <= max_half_width)
        & (reach >= THIN_MIN_REACH_SHARE * max(size))
        & (reach >= THIN_MIN_ELONGATION * widest)
    )
    kept[0] = False
    part = kept[labels]
    if not part.any():
        return np.zeros(product.shape, np.float32)
    # Its edge where its tint falls to THIN_EDGE_SHARE of the tint along its middle (read after
    # THIN_PEAK_SIGMA_PX).
    smoothed = cv2.GaussianBlur(np.where(part, tint, 0.0).astype(np.float32), (0, 0), THIN_PEAK_SIGMA_PX)
    window = 2 * max(1, round(max_half_width)) + 1
    middle = cv2.dilate(smoothed, np.ones((window, window), np.uint8))
    share = tint / np.maximum(middle, 1e-3)
    sure: np.ndarray = np.where(part, np.clip(0.5 + (share - THIN_EDGE_SHARE) * THIN_EDGE_GAIN, 0.0, 1.0), 0.0)
    sure = sure.astype(np.float32)
    if scale < 1.0:
        sure = cv2.resize(sure, (width, height), interpolation=cv2.INTER_LINEAR)
    sure[product] = 0.0
    return sure
