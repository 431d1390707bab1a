"""Floor reflections: a product standing on a glossy surface (acrylic, glass, a polished table)
shows a faded mirror image of itself below its foot.

The classical mask takes that image for product (it is far from the sweep's colour), and u2netp
often does too. Column by column, below the row where the product meets the floor, each row of a
reflection is the backdrop blended towards its mirror row above the contact: the product row as
far above as it is below. Just below the contact it is much weaker than its mirror (a step: the
product above is at full strength), and it fades further down. A product's own lower part is not
a weaker copy of what lies above it, and does not fade out; an ombre product that does fade has no
step where it starts. The contact row is searched on a small copy, then set at full resolution
where the colour's strength drops. A product that touches the floor at points only (a star on its
tips) shows that step in few columns or none: the floor is then a level row about which what lies
below mirrors what lies above, taken down to the product's lowest row; and the floor the network
filled beside the reflection (between the star's legs), bare, goes with it (`floor_beside`).
"""

from __future__ import annotations

import cv2
import numpy as np

from aefix.regions import bounding_box, components_touching
from aefix.stages.backdrop import Backdrop, sample_low
from aefix.stages.matte import bare_parts, classic_threshold

# The product's box is searched on a copy this many pixels on its long side.
SEARCH_SIDE_PX = 160
# Just below the contact, a reflection is at most this strong relative to its mirror image
# (acrylic and glass reflect 5-40%; a polished table less), and at least STEP_MIN_OPACITY: a white
# part under a dark one is no copy of it.
MAX_OPACITY = 0.7
STEP_MIN_OPACITY = 0.08
# Mirror rows closer than this to the backdrop (RGB distance) tell nothing about the row below.
MIN_MIRROR_CONTRAST = 24.0
# A reflected row is its mirror scaled: off that line by at most this much (RGB distance), plus
# MIRROR_SLACK_SHARE of the mirror's own strength (a glossy floor blurs and tints a little).
MIRROR_TOLERANCE = 10.0
MIRROR_SLACK_SHARE = 0.2
# Share of a column's informative rows below the contact that must be a weaker mirror image.
MIN_MATCH_SHARE = 0.85
# A reflection spans at least this share of the box's height (shorter is an edge's blur).
MIN_LENGTH_SHARE = 0.05
# Its far third is at most this share as strong as its near third, and at most END_TOLERANCES
# times the mirror tolerance from the backdrop: it fades out, where a product's lighter lower
# part ends at an edge.
MAX_FADE = 0.8
END_TOLERANCES = 5.0
# Share of the columns along the product's foot that must show a reflection column by column.
MIN_COLUMN_SHARE = 0.5
# A rounded or pointed product touches the floor over a few columns only: from this many, the
# floor is taken as the level row through them, and what lies below it is judged as a whole as
# its mirror image (with the share of its pixels whose mirror is product at least MIN_MIRRORED_SHARE).
MIN_CONTACT_COLUMNS = 3
MIN_MIRRORED_SHARE = 0.6
# At full resolution the contact is looked for within one copy pixel of the copy's, as the row
# where the mean strength over this many rows above it and over as many below differ most.
DROP_ROWS = 3


def find_reflection(rgb: np.ndarray, product: np.ndarray, backdrop: Backdrop) -> np.ndarray:
    """Pixels of `product` (bool, full resolution) that are a reflection of it on the floor below."""
    found = np.zeros_like(product)
    box = bounding_box(product)
    if box is None:
        return found
    top, left = box[0].start or 0, box[1].start or 0
    height, width = product[box].shape
    scale = min(1.0, SEARCH_SIDE_PX / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    inside = cv2.resize(product[box].astype(np.float32), size, interpolation=cv2.INTER_AREA) >= 0.5
    small = cv2.resize(rgb[box], size, interpolation=cv2.INTER_AREA).astype(np.float32)
    rows, cols = np.mgrid[0 : size[1], 0 : size[0]]
    full_rows = top + (rows.ravel() + 0.5) * height / size[1] - 0.5
    full_cols = left + (cols.ravel() + 0.5) * width / size[0] - 0.5
    back = sample_low(backdrop.low, backdrop.shape, full_rows, full_cols).reshape(small.shape)
    at_frame_bottom = box[0].stop >= product.shape[0]
    contact = _contact_rows(small - back, inside, backdrop.noise, at_frame_bottom)
    if contact is None:
        return found
    # The contact row at full resolution, column by column, from the copy's. Nothing of a product
    # lies below the floor it stands on: beyond the columns where the step shows (a rounded
    # corner's, over a gap of backdrop), the floor is the nearest one's.
    full = np.arange(width, dtype=np.float32)
    low_cols = np.clip((full + 0.5) * size[0] / width - 0.5, 0, size[0] - 1)
    known = ~np.isnan(contact)
    estimate = np.interp(low_cols, np.flatnonzero(known), contact[known])
    reach = np.ceil(height / size[1])
    estimate = top + (estimate + 0.5) * height / size[1] - 0.5
    rows_full = _sharpest_drop(rgb, backdrop, product, estimate, reach, left)
    below = np.arange(product.shape[0])[:, None] > rows_full[None, :]
    found[:, left : left + width] = product[:, left : left + width] & below
    return found


def _contact_rows(difference: np.ndarray, inside: np.ndarray, noise: float, at_frame_bottom: bool) -> np.ndarray | None:
    """Per column of the copy, the row the product meets its reflection (NaN where none shows), or
    None when too few columns along the foot show one. `difference`: photo minus backdrop;
    `at_frame_bottom`: the box ends at the frame's edge, which may cut a reflection short."""
    height, width = inside.shape
    run = _bottom_runs(inside)
    has_run = run.any(axis=0)
    if not has_run.any():
        return None
    end = np.where(has_run, height - 1 - np.argmax(run[::-1], axis=0), -1)
    start = np.where(has_run, np.argmax(run, axis=0), height)
    foot = np.count_nonzero(has_run & (end >= height - 1 - height // 4))  # runs reaching the box's lowest quarter
    min_length = max(2, int(np.ceil(MIN_LENGTH_SHARE * height)))
    tolerance = max(MIRROR_TOLERANCE, noise)
    strength = np.linalg.norm(difference, axis=2)
    # First the step alone (the row below a candidate contact, against the contact row itself): on
    # most photos no column has one far enough above its run's end, and nothing more is measured.
    rows = np.arange(height - 1)[:, None]
    step = run[:-1] & run[1:] & (end[None, :] - rows >= min_length)
    step &= _weaker_mirror(difference[1:], difference[:-1], strength[:-1], tolerance, STEP_MIN_OPACITY)
    if np.count_nonzero(step.any(axis=0)) < MIN_CONTACT_COLUMNS:
        return None
    candidate_rows, candidate_cols = np.nonzero(step)
    informative = np.zeros(len(candidate_rows), np.int32)
    matching = np.zeros(len(candidate_rows), np.int32)
    for k in range(1, height // 2 + 1):
        # Below candidate contact b, row b + k; its mirror, row b - k + 1.
        reflected, mirrored = candidate_rows + k, candidate_rows - k + 1
        valid = (reflected <= end[candidate_cols]) & (mirrored >= start[candidate_cols])
        if not valid.any():
            break
        below = difference[np.minimum(reflected, height - 1), candidate_cols]
        mirror_rows = np.maximum(mirrored, 0)
        mirror = difference[mirror_rows, candidate_cols]
        mirror_strength = strength[mirror_rows, candidate_cols]
        useful = valid & (mirror_strength >= MIN_MIRROR_CONTRAST)
        informative += useful
        matching += useful & _weaker_mirror(below, mirror, mirror_strength, tolerance)
    passed = (informative >= min_length) & (matching >= MIN_MATCH_SHARE * informative)
    contact = np.full(width, np.nan, np.float32)
    for row, column in zip(candidate_rows[passed], candidate_cols[passed], strict=True):
        if not np.isnan(contact[column]):
            continue  # np.nonzero goes row by row: the highest row came first; lower ones lie in the reflection
        reflected = strength[row + 1 : end[column] + 1, column]
        third = max(1, len(reflected) // 3)
        cut_short = at_frame_bottom and end[column] == height - 1
        if _fades(float(np.median(reflected[:third])), float(np.median(reflected[-third:])), tolerance, cut_short):
            contact[column] = row
    found = np.count_nonzero(~np.isnan(contact))
    if found >= MIN_COLUMN_SHARE * foot:
        return _smoothed(contact)
    if found >= MIN_CONTACT_COLUMNS:
        floor = int(np.nanmedian(contact))
        if _mirrored_below(difference, strength, inside, floor, tolerance, at_frame_bottom):
            return np.full(width, _foot_row(strength, inside, floor), np.float32)
    # A star stands on its tips: beside them a gap of floor lies between each leg's slanted edge and
    # its mirror image, so no column shows the step down to it. The floor is then the highest row
    # of a step about which what lies below is, as a whole, the product's fading mirror image.
    for floor in np.unique(candidate_rows):
        if _mirrored_below(difference, strength, inside, int(floor), tolerance, at_frame_bottom):
            return np.full(width, _foot_row(strength, inside, int(floor)), np.float32)
    return None


def _foot_row(strength: np.ndarray, inside: np.ndarray, floor: int) -> int:
    """The lowest row, on from `floor` down, that still holds a pixel of `inside` as strong as the
    product above `floor` (over MAX_OPACITY times its median `strength`): a reflection is weaker
    than that, and a star's tips, a few columns wide, weigh too little in the mirror test to set
    the floor to the row."""
    above = inside[: floor + 1] & (strength[: floor + 1] >= MIN_MIRROR_CONTRAST)
    if not above.any():
        return floor
    full = inside & (strength > MAX_OPACITY * float(np.median(strength[: floor + 1][above])))
    row = floor
    while row + 1 < inside.shape[0] and full[row + 1].any():
        row += 1
    return row


def _fades(near: float, far: float, tolerance: float, cut_short: bool) -> bool:
    """Whether a reflection whose near third has median strength `near` and far third `far` fades
    out: far at most MAX_FADE x near and, unless the frame cut it short, within END_TOLERANCES x
    `tolerance` of the backdrop."""
    return far <= MAX_FADE * near and (cut_short or far <= END_TOLERANCES * tolerance)


def _mirrored_below(
    difference: np.ndarray,
    strength: np.ndarray,
    inside: np.ndarray,
    floor: int,
    tolerance: float,
    at_frame_bottom: bool,
) -> bool:
    """Whether what `inside` holds below row `floor` is, as a whole, a weaker mirror image of the
    product above it, that fades with depth (`strength`: `difference`'s length per pixel)."""
    height = inside.shape[0]
    depth = np.arange(1, min(height - floor, floor + 2))
    below, mirror = floor + depth, floor - depth + 1
    # Floor under floor tells nothing: the gap between a star's legs, which the network filled, and
    # its mirror image below the tips. Only the rest is judged.
    taken = inside[below] & ((strength[mirror] >= MIN_MIRROR_CONTRAST) | (strength[below] >= MIN_MIRROR_CONTRAST))
    if not taken.any():
        return False
    mirrored = taken & inside[mirror] & (strength[mirror] >= MIN_MIRROR_CONTRAST)
    fits = mirrored & _weaker_mirror(difference[below], difference[mirror], strength[mirror], tolerance)
    if np.count_nonzero(mirrored) < MIN_MIRRORED_SHARE * np.count_nonzero(taken):
        return False
    if np.count_nonzero(fits) < MIN_MATCH_SHARE * np.count_nonzero(mirrored):
        return False
    deepest = int(np.flatnonzero(taken.any(axis=1))[-1]) + 1
    third = max(1, deepest // 3)
    near_rows, far_rows = slice(0, third), slice(deepest - third, deepest)
    reflected = strength[below]
    near = float(np.median(reflected[near_rows][taken[near_rows]]))
    far = float(np.median(reflected[far_rows][taken[far_rows]]))
    return _fades(near, far, tolerance, at_frame_bottom and floor + deepest >= height - 1)


def _weaker_mirror(
    below: np.ndarray, mirror: np.ndarray, mirror_strength: np.ndarray, tolerance: float, min_opacity: float = -0.05
) -> np.ndarray:
    """Whether each pixel of `below` is its `mirror` (both: photo minus backdrop, ... x 3; the mirror's
    length given) scaled by `min_opacity` to MAX_OPACITY, where the mirror stands out from the
    backdrop enough to tell."""
    opacity = np.sum(below * mirror, axis=-1) / np.maximum(mirror_strength**2, 1.0)
    residual = np.linalg.norm(below - opacity[..., None] * mirror, axis=-1)
    return (
        (mirror_strength >= MIN_MIRROR_CONTRAST)
        & (opacity >= min_opacity)
        & (opacity <= MAX_OPACITY)
        & (residual <= tolerance + MIRROR_SLACK_SHARE * mirror_strength)
    )


def _bottom_runs(inside: np.ndarray) -> np.ndarray:
    """Each column's lowest unbroken run of `inside`."""
    upward = inside[::-1]
    started = np.cumsum(upward, axis=0) > 0
    broken = np.cumsum(started & ~upward, axis=0) > 0
    return (started & ~broken)[::-1]


def _smoothed(contact: np.ndarray) -> np.ndarray:
    """Contact rows median-filtered over 5 columns (a column's noise is not the product's foot)."""
    smooth = contact.copy()
    known = np.flatnonzero(~np.isnan(contact))
    for column in known:
        window = contact[max(0, column - 2) : column + 3]
        smooth[column] = np.nanmedian(window)
    return smooth


def _sharpest_drop(
    rgb: np.ndarray,
    backdrop: Backdrop,
    product: np.ndarray,
    estimate: np.ndarray,
    reach: float,
    left: int,
) -> np.ndarray:
    """Per full-resolution column from `left`, the row within `reach` of `estimate` below which the
    colour's strength (distance from the backdrop) drops most."""
    height = product.shape[0]
    width = len(estimate)
    low = int(max(0, np.floor(estimate.min() - reach - DROP_ROWS)))
    high = int(min(height, np.ceil(estimate.max() + reach + DROP_ROWS + 1)))
    rows, cols = np.mgrid[low:high, left : left + width]
    pixels = rgb[low:high, left : left + width].astype(np.float32).reshape(-1, 3)
    back = backdrop.at(rows.ravel(), cols.ravel())
    strength = np.linalg.norm(pixels - back, axis=1).reshape(rows.shape)
    strength = np.where(product[low:high, left : left + width], strength, 0.0)
    kernel = np.ones((DROP_ROWS, 1), np.float32) / DROP_ROWS
    # Mean strength over the DROP_ROWS rows ending at each row, and over those starting below it.
    above = cv2.filter2D(strength, -1, kernel, anchor=(0, DROP_ROWS - 1), borderType=cv2.BORDER_REPLICATE)
    beneath = np.full_like(above, 0.0)
    beneath[:-1] = cv2.filter2D(strength, -1, kernel, anchor=(0, 0), borderType=cv2.BORDER_REPLICATE)[1:]
    drop = above - beneath
    window = np.abs(np.arange(low, high)[:, None] - estimate[None, :]) <= reach
    drop = np.where(window, drop, -np.inf)
    best = low + np.argmax(drop, axis=0).astype(np.float32)
    return cv2.medianBlur(best[None, :], 5)[0]  # a foot's row does not jump from column to column


def floor_beside(rgb: np.ndarray, product: np.ndarray, reflection: np.ndarray, backdrop: Backdrop) -> np.ndarray:
    """The regions of `product` (less its `reflection`) within the colour test's reach of the sweep
    (`classic_threshold`) that touch the reflection and are bare floor (`bare_parts`): the gap
    between a star's legs, which the network filled down to the reflection below its tips."""
    rows, cols = np.nonzero(product)
    pixels = rgb[rows, cols].astype(np.float32)
    near = np.linalg.norm(pixels - backdrop.at(rows, cols), axis=1)
    near_sweep = np.zeros_like(product)
    near_sweep[rows, cols] = near <= classic_threshold(backdrop)
    beside = cv2.dilate(reflection.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return components_touching(bare_parts(rgb, near_sweep, backdrop), beside)
