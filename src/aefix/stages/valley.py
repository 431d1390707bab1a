"""A shadow's darkest line, where it meets the product: the mask's edge is moved back onto it.

A contact or cast shadow is darkest where it meets the object that casts it and lightens into the
backdrop across a soft penumbra. A product lighter than that shadow (light grey on white, a pale
bag in its contact shadow) meets it with a step up: across the product's edge, the tone runs
backdrop, penumbra down to the shadow's floor, a step up to the product. Where the mask's edge
lies out on that penumbra, what lies between it and the step is shadow, however the mask came to
take it (the network's rounded 320-px edge, a wedge of cast shadow one shadow-coloured piece with
a grey product, which no factor of darkening parts from it). Read along the normal of the mask's
edge, each such stretch is a valley on the product side of the edge whose rise to the backdrop is
soft (a penumbra, SOFTER_THAN_STEP times as wide as the step to the product at least) and whose
rise to the product ends on a plateau of product: the mask goes back to the valley's floor, and
the step is matted by tone from the floor's level to the product's.

A glass or metal rim darker than the product beside it is a valley too, but its outer rise is
the product's outline, sharp: it is not judged. A thin part (a strap) has no product plateau past
its valley before the mask ends: not judged either. A shadow's floor is the backdrop's colour
darkened; a tinted glass rim with its shadow just outside it, one soft valley in brightness, is
not. Where a shadow runs on past a corner of the product (a star's arm), the mask's edge turns
along it and its normal no longer crosses the product: the edge near a run of valleys is read
again across the run's own direction.

The matte reads the same valleys across the network mask's edge (`valley_steps`) and cuts along
their steps: a grey product and a wedge of its cast shadow are one shadow-coloured region there,
and the wedge's penumbra lies too near the product's edge for that edge to read as sharp.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from aefix.regions import bounding_box
from aefix.stages.backdrop import SHADOW_MAX_CHROMA, tint_length

# Looked for along each edge pixel's normal: up to REACH_IN_PX into the mask for the valley and
# the product past it, REACH_OUT_PX beyond the edge for the backdrop the penumbra rises to.
REACH_IN_PX = 16
REACH_OUT_PX = 14
# The valley's floor lies within this many px of the edge, leaving room for the product past it.
FLOOR_REACH_PX = REACH_IN_PX - 3
# Tone is read on the photo blurred by this much (sensor noise); the normal on the mask blurred by
# NORMAL_SIGMA_PX (a pixel's own step of the outline points anywhere).
TONE_SIGMA_PX = 1.2
NORMAL_SIGMA_PX = 3.0
# The floor: the tone within FLOOR_SLACK levels of its lowest, on from it towards the product.
FLOOR_SLACK = 1.0
# The product lies MIN_STEP levels over the floor, the backdrop MIN_RISE over it at least.
MIN_STEP = 2.0
MIN_RISE = 3 * MIN_STEP
# The product's plateau: the PLATEAU_PX after the floor; the step ends on it, inside the mask
# (PLATEAU_ALPHA) and within a third of the step of its level for PLATEAU_PX - 1 px past the step.
PLATEAU_PX = 6
PLATEAU_ALPHA = 0.95
# A penumbra's width (its rise over its steepest slope) is MIN_SOFT_PX at least, and
# SOFTER_THAN_STEP times the step's.
MIN_SOFT_PX = 6.0
SOFTER_THAN_STEP = 2.0
# A shadow runs along the edge: the valleys found are kept in runs of MIN_RUN_PX edge pixels, each
# within RUN_GAP_PX of the next (single ones are noise).
MIN_RUN_PX = 20
RUN_GAP_PX = 2
# Edge pixels this near a run are read again across the run's direction (its nearest pixel's).
BORROW_REACH_PX = 12
# Cleared from this far outside the edge to the floor: the matte's partial pixels out there are the
# penumbra's too.
CLEARED_OUT_PX = 4
# The mask's box is worked in with this margin: every normal's reach and the blurs' within it.
BOX_MARGIN_PX = REACH_OUT_PX + REACH_IN_PX + 3 * int(NORMAL_SIGMA_PX) + 2


# Per normal: whether a shadow's valley lies along it, the steps its floor and the product's step
# lie at, the floor's tone and the product's.
Reading = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Trimmed:
    """The alpha and colour with the shadow taken off the edge, and how many pixels left the mask."""

    alpha: np.ndarray
    colour: np.ndarray
    removed_px: int


def trim_shadow_valleys(rgb: np.ndarray, alpha: np.ndarray, colour: np.ndarray) -> Trimmed | None:
    """The mask `alpha` (float32 in [0, 1]) moved back from a shadow's penumbra onto the step where
    the shadow meets a lighter product (see the module's docstring), its `colour` (uint8 RGB, the
    photo's size) the product's over that step; None where no edge runs over such a shadow.

    Invariant: alpha only falls, and only within REACH_OUT_PX + REACH_IN_PX of the mask's edge."""
    box = bounding_box(alpha >= 0.5, BOX_MARGIN_PX)
    if box is None:
        return None
    inside = _trimmed_in_box(rgb[box], alpha[box], colour[box])
    if inside is None:
        return None
    trimmed, recoloured = alpha.copy(), colour.copy()
    trimmed[box], recoloured[box] = inside.alpha, inside.colour
    return Trimmed(trimmed, recoloured, inside.removed_px)


def _trimmed_in_box(rgb: np.ndarray, alpha: np.ndarray, colour: np.ndarray) -> Trimmed | None:
    """`trim_shadow_valleys` over the mask's box."""
    hard = alpha >= 0.5
    normals = _edge_normals(hard)
    if normals is None:
        return None
    rows, cols, inward_x, inward_y = normals
    luma, blurred = _blurred(rgb)
    reading = _read(blurred, luma, alpha, normals)
    found = reading[0] & _in_runs(reading[0], rows, cols, hard.shape)
    if not found.any():
        return None
    # Where a shadow runs out past a product's corner (a star's arm), the mask's edge turns along
    # the shadow and its normal no longer crosses the product: the edge pixels near a run's ends
    # are read again across the run's own direction.
    missed = np.ones(hard.shape, np.uint8)
    missed[rows[found], cols[found]] = 0
    distance, nearest = cv2.distanceTransformWithLabels(missed, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    index_of = np.zeros(int(nearest.max()) + 1, np.intp)
    index_of[nearest[rows[found], cols[found]]] = np.flatnonzero(found)
    again = np.flatnonzero(~found & (distance[rows, cols] <= BORROW_REACH_PX))
    if len(again):
        source = index_of[nearest[rows[again], cols[again]]]
        inward_x[again], inward_y[again] = inward_x[source], inward_y[source]
        second = _read(blurred, luma, alpha, (rows[again], cols[again], inward_x[again], inward_y[again]))
        for whole, part in zip(reading, second, strict=True):
            whole[again] = part
        found[again] = second[0]
    _, floor_at, step_end, floor, level = reading
    normals = (rows, cols, inward_x, inward_y)
    return _trimmed(rgb, alpha, colour, luma, normals, found, (floor_at, step_end), floor, level)


def valley_steps(rgb: np.ndarray, product: np.ndarray) -> np.ndarray:
    """The pixels of the step up from a shadow's floor to the product, along each normal of the
    edge of `product` (a mask) that reads a valley (see the module's docstring), in runs: where a
    grey product and a wedge of its cast shadow are one shadow-coloured region, the line to cut
    them apart along, though the wedge's penumbra lies too near the step for it to read as sharp."""
    steps = np.zeros(product.shape, bool)
    normals = _edge_normals(product)
    if normals is None:
        return steps
    rows, cols, inward_x, inward_y = normals
    luma, blurred = _blurred(rgb)
    found, floor_at, step_end, _, _ = _read(blurred, luma, product.astype(np.float32), normals)
    found &= _in_runs(found, rows, cols, product.shape)
    height, width = product.shape
    for step in range(1, REACH_IN_PX + 1):
        on = found & (floor_at < step) & (step <= step_end)
        x = np.clip(np.rint(cols[on] + step * inward_x[on]).astype(np.intp), 0, width - 1)
        y = np.clip(np.rint(rows[on] + step * inward_y[on]).astype(np.intp), 0, height - 1)
        steps[y, x] = True
    return steps


def _edge_normals(hard: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The rows and columns of the mask `hard`'s edge pixels and their unit normals pointing into
    it (the mask blurred by NORMAL_SIGMA_PX); None where the edge is shorter than a run."""
    edge = hard & ~cv2.erode(hard.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    rows, cols = np.nonzero(edge)
    if len(rows) < MIN_RUN_PX:
        return None
    spread = cv2.GaussianBlur(hard.astype(np.float32), (0, 0), NORMAL_SIGMA_PX)
    inward_x = cv2.Sobel(spread, cv2.CV_32F, 1, 0, ksize=3)[rows, cols]
    inward_y = cv2.Sobel(spread, cv2.CV_32F, 0, 1, ksize=3)[rows, cols]
    length = np.hypot(inward_x, inward_y)
    pointed = length > 1e-4
    length = length[pointed]
    return rows[pointed], cols[pointed], inward_x[pointed] / length, inward_y[pointed] / length


def _blurred(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The photo's luma and its RGB, both float32 and blurred by TONE_SIGMA_PX."""
    luma = cv2.GaussianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32), (0, 0), TONE_SIGMA_PX)
    return luma, cv2.GaussianBlur(rgb, (0, 0), TONE_SIGMA_PX).astype(np.float32)


def _read(
    blurred: np.ndarray,
    luma: np.ndarray,
    alpha: np.ndarray,
    normals: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> Reading:
    """`_valleys` along each of the `normals` (rows, cols and the unit inward direction), with the
    floor's colour a shadow's (`_shadow_coloured`; `blurred`: the photo blurred as `luma` is)."""
    rows, cols, inward_x, inward_y = normals
    steps = np.arange(-REACH_OUT_PX, REACH_IN_PX + 1, dtype=np.float32)
    along_x = (cols[:, None] + steps[None, :] * inward_x[:, None]).astype(np.float32)
    along_y = (rows[:, None] + steps[None, :] * inward_y[:, None]).astype(np.float32)
    tone = cv2.remap(luma, along_x, along_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    opacity = cv2.remap(alpha, along_x, along_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    found, floor_at, step_end, floor, level = _valleys(tone, opacity)
    if found.any():
        found &= _shadow_coloured(blurred, along_x, along_y, floor_at)
    return found, floor_at, step_end, floor, level


def _valleys(tone: np.ndarray, opacity: np.ndarray) -> Reading:
    """Per edge pixel (rows of `tone` and `opacity`, read along its normal from REACH_OUT_PX
    outside to REACH_IN_PX inside): whether a shadow's valley lies there, the steps its floor and
    the step up to the product (past its steepest slope) lie at, the floor's tone and the product's."""
    count = len(tone)
    inner = tone[:, REACH_OUT_PX:]
    inner_opacity = opacity[:, REACH_OUT_PX:]
    index = np.arange(count)
    lowest_at = np.argmin(inner[:, :FLOOR_REACH_PX], axis=1)
    floor = inner[index, lowest_at]
    # A floor can be flat for a few px: it ends where the tone leaves it towards the product.
    reach = np.arange(FLOOR_REACH_PX)[None, :]
    left = (reach > lowest_at[:, None]) & (inner[:, :FLOOR_REACH_PX] > (floor + FLOOR_SLACK)[:, None])
    floor_at = np.where(left.any(axis=1), np.argmax(left, axis=1), FLOOR_REACH_PX) - 1
    past = np.clip(floor_at[:, None] + np.arange(1, PLATEAU_PX + 1)[None, :], 0, REACH_IN_PX)
    beyond = inner[index[:, None], past]
    level = beyond.max(axis=1)
    step = level - floor
    climb = np.diff(beyond, axis=1, prepend=floor[:, None])
    step_width = step / np.maximum(climb.max(axis=1), 1e-3)
    step_end = floor_at + 1 + np.argmax(climb, axis=1)
    on_plateau = np.clip(step_end[:, None] + np.arange(PLATEAU_PX)[None, :], 0, REACH_IN_PX)
    plateau = inner_opacity[index[:, None], on_plateau].min(axis=1) >= PLATEAU_ALPHA
    plateau &= inner_opacity[index[:, None], past].min(axis=1) >= 0.5
    flat = np.abs(inner[index[:, None], np.clip(on_plateau + 1, 0, REACH_IN_PX)] - level[:, None]).max(axis=1)
    plateau &= flat <= step / 3
    # The rise from the floor out to the backdrop, read outward from the floor.
    outward = (REACH_OUT_PX + floor_at)[:, None] - np.arange(REACH_OUT_PX + REACH_IN_PX)[None, :]
    rise = tone[index[:, None], np.clip(outward, 0, None)]
    slopes = np.where(outward[:, 1:] >= 0, np.diff(rise, axis=1), 0.0)
    backdrop_rise = tone[:, 0] - floor
    penumbra_width = backdrop_rise / np.maximum(slopes.max(axis=1), 1e-3)
    found = (
        (floor_at >= 1)
        & (step >= MIN_STEP)
        & (backdrop_rise >= MIN_RISE)
        & (penumbra_width >= MIN_SOFT_PX)
        & (penumbra_width >= SOFTER_THAN_STEP * step_width)
        & plateau
    )
    return found, floor_at, step_end, floor, level


def _shadow_coloured(blurred: np.ndarray, along_x: np.ndarray, along_y: np.ndarray, floor_at: np.ndarray) -> np.ndarray:
    """Per normal (`along_x`, `along_y`: its points, REACH_OUT_PX outside first): whether the floor
    (at step `floor_at` inside) is the backdrop's colour darkened, within SHADOW_MAX_CHROMA, as a
    shadow is, on the photo `blurred` (float32 RGB); a glass rim's tint or a product's colour is not
    (a blue glass ring's darker rim, a shadow beside it outside: bench-quality seed 1)."""
    index = np.arange(len(floor_at))
    at_floor = REACH_OUT_PX + floor_at
    # Row 0 the backdrop's colour, past the penumbra; row 1 the floor's.
    points_x = np.stack([along_x[:, 0], along_x[index, at_floor]])
    points_y = np.stack([along_y[:, 0], along_y[index, at_floor]])
    colours = cv2.remap(blurred, points_x, points_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return tint_length(colours[1:], colours[:1])[0] <= SHADOW_MAX_CHROMA


def _in_runs(found: np.ndarray, rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Which of the edge pixels `found` lie in a run of MIN_RUN_PX of them along the edge."""
    marks = np.zeros(shape, np.uint8)
    marks[rows[found], cols[found]] = 1
    joined = cv2.dilate(marks, np.ones((2 * RUN_GAP_PX + 1,) * 2, np.uint8))
    count, labels = cv2.connectedComponents(joined, connectivity=8)
    sizes = np.bincount(labels[rows[found], cols[found]], minlength=count)
    return found & (sizes[labels[rows, cols]] >= MIN_RUN_PX)


def _trimmed(
    rgb: np.ndarray,
    alpha: np.ndarray,
    colour: np.ndarray,
    luma: np.ndarray,
    normals: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    found: np.ndarray,
    places: tuple[np.ndarray, np.ndarray],
    floor: np.ndarray,
    level: np.ndarray,
) -> Trimmed:
    """`alpha` nil from outside the edge to each valley's floor, matted by tone over the step up to
    the product's level; `colour` over the step the product's, read on the plateau past it.
    `places`: the steps along the normal where the floor lies and where the step up ends."""
    rows, cols, inward_x, inward_y = (part[found] for part in normals)
    floor_at, step_end = (part[found] for part in places)
    floor, level = floor[found], level[found]
    height, width = alpha.shape
    # Half-pixel steps along each normal: rounded, neighbouring normals leave no pixel out.
    halves = np.arange(-2 * CLEARED_OUT_PX, 2 * (REACH_IN_PX + 1)) / 2.0
    x = np.rint(cols[:, None] + halves[None, :] * inward_x[:, None]).astype(np.intp)
    y = np.rint(rows[:, None] + halves[None, :] * inward_y[:, None]).astype(np.intp)
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
    x, y = np.clip(x, 0, width - 1), np.clip(y, 0, height - 1)
    to_floor = inside & (halves[None, :] <= floor_at[:, None])
    over_step = inside & ~to_floor & (halves[None, :] <= (step_end + 1)[:, None])
    cleared = np.zeros(alpha.shape, np.uint8)
    cleared[y[to_floor], x[to_floor]] = 1
    trimmed = alpha.copy()
    trimmed[cv2.morphologyEx(cleared, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)).astype(bool)] = 0.0
    share = (luma[y, x] - floor[:, None]) / np.maximum(level - floor, 1e-3)[:, None]
    np.minimum.at(trimmed, (y[over_step], x[over_step]), np.clip(share[over_step], 0.0, 1.0).astype(np.float32))
    # The product's colour, PLATEAU_PX past the floor: the step's own pixels mix it with the shadow's.
    source_at = floor_at + PLATEAU_PX
    source = rgb[
        np.clip(np.rint(rows + source_at * inward_y).astype(np.intp), 0, height - 1),
        np.clip(np.rint(cols + source_at * inward_x).astype(np.intp), 0, width - 1),
    ]
    blended = over_step & (trimmed[y, x] > 0.0) & (trimmed[y, x] < 1.0)
    recoloured = colour.copy()
    recoloured[y[blended], x[blended]] = np.broadcast_to(source[:, None, :], (*blended.shape, 3))[blended]
    removed = int(((alpha >= 0.5) & (trimmed < 0.5)).sum())
    return Trimmed(trimmed, recoloured, removed)
