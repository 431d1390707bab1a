"""What the checks look at, measured once per image: frame border, backdrop, product, backdrop model.

The backdrop is the smooth, light, unsaturated area connected to the frame: it spreads across
grey tones, gradients, noise and soft shadows (none of which has a sharp edge) and stops at the
product's outline. JPEG ringing next to the product is kept apart in `band`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from aefix.pixels import channel_min_max, slope
from aefix.regions import bounding_box, components_at_least, components_touching
from aefix.settings import Profile

LUMA = np.array([0.299, 0.587, 0.114], np.float32)
# Backdrop candidates: at least this light (after a light blur), at most this saturated...
BACKDROP_MIN_LEVEL = 180.0
BACKDROP_MAX_SPREAD = 40
# ...and no steeper than this (levels per pixel): product outlines are steeper, shading is not.
BACKDROP_MAX_SLOPE = 3.0
# A line along the frame is uniform when this share of it lies within BORDER_LINE_TOLERANCE of its median.
BORDER_UNIFORM_SHARE = 0.97
BORDER_LINE_TOLERANCE = 12
# Lines of one frame differ in colour by at most this much: JPEG shifts a thin, saturated frame's
# chroma from line to line (a 3-px red frame: blue 24, 38, 30).
BORDER_COLOUR_TOLERANCE = 24
# A border must differ from what lies inside it by this much (max channel difference) to be seen.
BORDER_MIN_STEP = 10
BACKDROP_GRID = 32
# On a pure-white frame, gaps in a product's outline narrower than this (px per 1000 px of image) do
# not let the backdrop in: a white product on white has a faint outline that JPEG breaks here and there.
OUTLINE_GAP_PX = 3.0
# Pixels this white in every channel (255 give or take JPEG) pass as backdrop wherever the frame's
# backdrop reaches them, even next to a steep edge.
PURE_PASS_LEVEL = 253
# A tinted part of a cut-out's backdrop that borders the product along this share of its edge, and
# along this share of that the product is not steep, is the product's own highlight (_product_parts).
HIGHLIGHT_MIN_PRODUCT_SHARE = 0.3
HIGHLIGHT_MIN_SMOOTH_SHARE = 0.8
OUTLINE_REACH_PX = 4
# A tinted part of a cut-out's backdrop is product when it meets the product along at least
# OUTLINED_MIN_PX pixels and the white along at most OUTLINED_MAX_BREAK_SHARE of its edge (a break;
# a shadow in a notch opens to the white by more, 18% drawn): the product walls it in
# (_product_parts). A white ball and a white charger on light grey, cut out right, met the white
# along 11.2% and 10.2% where their soft edges let the backdrop in (bench-quality seed 9; at 0.1
# they failed the re-check).
OUTLINED_MAX_BREAK_SHARE = 0.14
OUTLINED_MIN_PX = 40
# A frame whose pixels are this light in every channel, this share of them, is a cut-out's pure white...
PURE_WHITE_FRAME_LEVEL = 252
PURE_WHITE_FRAME_SHARE = 0.98
# ...and its backdrop's edges are measured after this little blur (sigma, px).
FINE_BLUR_SIGMA = 0.7
# A frame is at most this share of the side wide: wider uniform bands are the margin around a product.
BORDER_MAX_SHARE = 0.04
# ...unless its colour is dark or strong (a channel under BORDER_LIGHT_LEVEL): no backdrop is. A
# black frame 5-8% wide was read as "only 0.0% of the image is a light backdrop".
BORDER_MAX_DARK_SHARE = 0.10
BORDER_LIGHT_LEVEL = 200
# A frame's lines are judged on each side's middle, this share of the side left out at each end:
# a template frame's rounded corners (radius 40 px at 1000 px) fell inside the old 4%, and its
# lines were not uniform enough to count.
BORDER_CORNER_SHARE = 0.1
# A white frame on a white main image is margin, not a border.
BORDER_WHITE_LEVEL = 250
# A dark or strong bar along one side only is a border when, of the BAR_RINGING_PX lines past it
# (JPEG rings there: 248 three lines past a blue bar), one is at least BAR_WHITE_LEVEL along this
# share of the side's middle (`_bar_on_white`): a header bar the product touches left 26% white.
# A product the edge cuts is not uniform along the whole side, or runs on past its uniform rows.
BAR_RINGING_PX = 5
BAR_WHITE_LEVEL = 240
BAR_WHITE_BEYOND_SHARE = 0.25


@dataclass(frozen=True)
class Frame:
    """A frame drawn along the image's edges: how far it reaches in on each side, its colour, its inset."""

    extent: tuple[int, int, int, int]  # top, right, bottom, left
    colour: tuple[int, int, int] | None
    inset: int


@dataclass(frozen=True)
class Scene:
    """Masks in the coordinates of `inner`: the image with any detected border cut away."""

    border_px: tuple[int, int, int, int]  # top, right, bottom, left: what is cut away, margin included
    border_colour: tuple[int, int, int] | None
    border_inset_px: int  # white margin between the image's edge and a frame drawn inside it
    inner_rgb: np.ndarray
    luminance: np.ndarray  # float32, inner
    channel_spread: np.ndarray  # uint8, inner: levels between each pixel's lightest and darkest channel
    background: np.ndarray  # bool: the backdrop
    band: np.ndarray  # bool: backdrop within the profile's edge band of the product
    core: np.ndarray  # bool: backdrop minus band
    product: np.ndarray  # bool: not backdrop, specks removed
    backdrop_model: np.ndarray | None  # float32 fitted backdrop luminance, inner; None when too little backdrop
    backdrop_spread: float  # levels between the fitted backdrop's lightest and darkest places

    @property
    def product_box(self) -> tuple[int, int, int, int] | None:
        """x0, y0, x1, y1 (exclusive) of the product, in inner coordinates."""
        box = bounding_box(self.product)
        if box is None:
            return None
        rows, cols = box
        return cols.start, rows.start, cols.stop, rows.stop


def analyze(rgb: np.ndarray, profile: Profile) -> Scene:
    frame = find_border(rgb, profile.border_min_px)
    top, right, bottom, left = frame.extent
    inner = rgb[top : rgb.shape[0] - bottom, left : rgb.shape[1] - right]
    luminance = inner.astype(np.float32) @ LUMA
    darkest, brightest = channel_min_max(inner)
    channel_spread = cv2.subtract(brightest, darkest)
    background = backdrop_mask(inner, luminance, darkest, channel_spread)
    not_background = ~background
    band_px = profile.background_edge_band_px
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * band_px + 1, 2 * band_px + 1))
    near_product = cv2.dilate(not_background.astype(np.uint8), kernel).astype(bool)
    # A drawn frame rings in JPEG as a product's outline does: the strip inside it is edge band too.
    sides = (near_product, near_product.T[::-1], near_product[::-1], near_product.T)  # top, right, bottom, left
    for side, extent in zip(sides, frame.extent, strict=True):
        if extent:
            side[:band_px] = True
    band = background & near_product
    core = background & ~near_product
    product = components_at_least(not_background, max(16, int(1e-4 * not_background.size)))
    model, spread = fit_backdrop(luminance, core)
    return Scene(
        frame.extent,
        frame.colour,
        frame.inset,
        inner,
        luminance,
        channel_spread,
        background,
        band,
        core,
        product,
        model,
        spread,
    )


def backdrop_mask(rgb: np.ndarray, luminance: np.ndarray, darkest: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Smooth, light, unsaturated pixels connected to the frame (`darkest` and `spread`: each pixel's
    darkest channel and the levels between its channels).

    On a pure-white frame (a cut-out) the backdrop also may not pass through narrow gaps in a
    product's outline, unless the gap itself is white.
    """
    blurred = cv2.GaussianBlur(luminance, (0, 0), 1.5)
    steepness = slope(blurred)
    candidate = (blurred >= BACKDROP_MIN_LEVEL) & (spread <= BACKDROP_MAX_SPREAD) & (steepness < BACKDROP_MAX_SLOPE)
    frame = np.zeros(candidate.shape, dtype=bool)
    frame[[0, -1], :] = frame[:, [0, -1]] = True
    if not _frame_is_pure_white(rgb):
        return components_touching(candidate, frame, connectivity=4)
    # No noise to smooth away: a white product's faint outline is measured at its own sharpness.
    steep = slope(cv2.GaussianBlur(luminance, (0, 0), FINE_BLUR_SIGMA)) >= BACKDROP_MAX_SLOPE
    candidate &= ~steep
    reached = _reached_not_through_gaps(candidate, frame)
    # Pure white passes freely: a white gap between two objects is backdrop, however narrow.
    white = darkest >= PURE_PASS_LEVEL
    backdrop = components_touching(reached | white | (candidate & frame), frame, connectivity=4)
    return backdrop & ~_product_parts(backdrop, white, steep, frame)


def _product_parts(backdrop: np.ndarray, white: np.ndarray, steep: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """Tinted (not pure white) parts of a cut-out's backdrop that are the product's own.

    Two kinds, neither reaching the frame:
    - a glossy product's highlight that reaches its rim has no outline there: the backdrop flows
      into it. It borders the product along a good part of its edge (white along the rest: the
      rim, and the blown core it rings) and fades into it: the product pixels beside it are not
      steep. A shadow or haze beside a product meets it at the product's sharp outline;
    - a part the product walls in save for one break: a white product the backdrop flowed into
      through a break in its faint outline, or a highlight bounded in part by the cut-out's
      slightly darker rim (a wall neither all outline nor all smooth: a metal plug's highlight
      met its rim along 22% of its edge). Without the break it is product already (the backdrop
      only flows in from the frame), whatever its wall. A shadow or haze fades into the white
      along much of its edge; a tone over the whole backdrop reaches the frame.
    """
    tinted = backdrop & ~white
    found = np.zeros_like(tinted)
    box = bounding_box(tinted, OUTLINE_REACH_PX + 1)  # widened: the pixels each is judged by are inside
    if box is None:
        return found
    inside = tinted[box]
    count, labels = cv2.connectedComponents(inside.view(np.uint8), connectivity=8)

    def beside(neighbour: np.ndarray, reach: int = 1) -> np.ndarray:
        kernel = np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)
        return inside & cv2.dilate(neighbour.view(np.uint8), kernel).astype(bool)

    product = ~backdrop[box]
    at_product = beside(product)
    # The backdrop stops a few pixels short of a sharp edge: its candidates are judged after a blur.
    at_outline = at_product & beside(product & steep[box], OUTLINE_REACH_PX)
    by_product, by_outline, by_white = (
        np.bincount(labels[pixels], minlength=count)
        for pixels in (at_product, at_outline, beside(~product & white[box]))
    )
    on_frame = np.bincount(labels[inside & frame[box]], minlength=count) > 0
    highlight = (
        (by_product >= HIGHLIGHT_MIN_PRODUCT_SHARE * (by_product + by_white))
        & (by_outline <= (1.0 - HIGHLIGHT_MIN_SMOOTH_SHARE) * by_product)
        & (by_product > 0)
    )
    walled = (by_white <= OUTLINED_MAX_BREAK_SHARE * (by_white + by_product)) & (by_product >= OUTLINED_MIN_PX)
    part = ~on_frame & (highlight | walled)
    part[0] = False
    if part.any():
        found[box] = part[labels]
    return found


def _reached_not_through_gaps(candidate: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """Candidates connected to the frame through passages wider than OUTLINE_GAP_PX.

    The connection is made on the candidates shrunk by half the gap width and grown back within
    the candidates, so a break of a few pixels in a faint outline keeps the inside out.
    """
    radius = max(1, round(OUTLINE_GAP_PX * max(candidate.shape) / 1000.0))
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    shrunk = cv2.erode(candidate.astype(np.uint8), disk, borderType=cv2.BORDER_REPLICATE).astype(bool)
    reached = components_touching(shrunk, frame, connectivity=4)
    # Grown back one 4-connected step at a time, so it cannot jump across a thin outline.
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    allowed = candidate.astype(np.uint8)
    grown = reached.astype(np.uint8)
    for _ in range(radius + 1):
        grown = np.minimum(cv2.dilate(grown, cross), allowed)
    return grown.astype(bool)


def _frame_is_pure_white(rgb: np.ndarray) -> bool:
    """The outermost pixels are white to within JPEG's rounding (a cut-out main image, not a photo)."""
    edge = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    return bool((edge.min(axis=1) >= PURE_WHITE_FRAME_LEVEL).mean() >= PURE_WHITE_FRAME_SHARE)


def fit_backdrop(luminance: np.ndarray, core: np.ndarray) -> tuple[np.ndarray | None, float]:
    """A smooth (quadratic) model of the backdrop's brightness, fitted robustly on grid cells.

    Cells darkened by a shadow next to the product fall out as outliers, so the model is what the
    backdrop would be without it; the spread of the model is the gradient.
    """
    height, width = luminance.shape
    grid = (BACKDROP_GRID, BACKDROP_GRID)
    weight = cv2.resize(core.astype(np.float32), grid, interpolation=cv2.INTER_AREA)
    total = cv2.resize(np.where(core, luminance, 0.0).astype(np.float32), grid, interpolation=cv2.INTER_AREA)
    valid = weight >= 0.5
    if valid.sum() < 12:
        return None, 0.0
    means = total[valid] / weight[valid]
    ys, xs = np.nonzero(valid)
    coords = np.linspace(-1.0, 1.0, BACKDROP_GRID, dtype=np.float32)
    design = _quadratic_terms(coords[xs], coords[ys])
    keep = np.ones(len(means), dtype=bool)
    for _ in range(3):
        coeffs, *_ = np.linalg.lstsq(design[keep], means[keep], rcond=None)
        residual = means - design @ coeffs
        spread_of_residual = 1.4826 * float(np.median(np.abs(residual[keep]))) + 1.0
        keep = np.abs(residual) <= 2.5 * spread_of_residual
        if keep.sum() < 12:
            return None, 0.0
    fitted_cells = design[keep] @ coeffs
    spread = float(fitted_cells.max() - fitted_cells.min())
    x = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    y = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    model = coeffs[0] + coeffs[1] * x + coeffs[2] * y + coeffs[3] * x * x + coeffs[4] * y * y + coeffs[5] * x * y
    return np.minimum(model, 255.0).astype(np.float32), spread


def find_border(rgb: np.ndarray, min_px: int) -> Frame:
    """Uniform frame lines along each side (top, right, bottom, left), kept if on 2+ sides, or on
    one side when they are a dark or strong bar with white beyond it (a banner strip)."""
    sides = (rgb, rgb.transpose(1, 0, 2)[::-1], rgb[::-1], rgb.transpose(1, 0, 2))
    found = [_border_width(side, min_px) for side in sides]
    extents = [inset + width for inset, width, _ in found]
    framed = [extent for extent in extents if extent > 0]
    # A drawn frame has one width (give or take JPEG) on every side it is on.
    if len(framed) == 1:
        side = extents.index(framed[0])
        if not _bar_on_white(sides[side], *found[side]):
            return Frame((0, 0, 0, 0), None, 0)
    elif len(framed) < 2 or max(framed) - min(framed) > 2:
        return Frame((0, 0, 0, 0), None, 0)
    inset, _, colour = next(side for side in found if side[1] > 0)
    return Frame((extents[0], extents[1], extents[2], extents[3]), colour, inset)


def _border_width(side: np.ndarray, min_px: int) -> tuple[int, int, tuple[int, int, int] | None]:
    """Inset and width of uniform lines in one colour, ending in a step to something else.

    The lines start at row 0, or inside a white margin at most half the frame's limit wide (a
    frame drawn a little in from the edge).
    """
    limit = int(min(side.shape[0], side.shape[1]) * BORDER_MAX_SHARE)
    dark_limit = int(min(side.shape[0], side.shape[1]) * BORDER_MAX_DARK_SHARE)
    if limit < 2:  # too small an image for a frame of 1 px and something inside it
        return 0, 0, None
    # Judged away from the ends, where the other sides' frame lines (and an inset frame's margin)
    # cross, and where a frame with rounded corners bends away.
    end = max(limit, round(BORDER_CORNER_SHARE * side.shape[1]))
    # Lines to BORDER_MAX_SHARE first; a dark run that reaches past it is looked at again, deeper.
    for depth in (limit, dark_limit):
        lines, colours, uniform = _lines(side, depth + 2, end)
        inset, width = 0, _run(uniform, colours, 0)
        if colours[0].min() >= BORDER_WHITE_LEVEL:  # a white margin, maybe with a frame inside it
            inset = width
            if inset > limit // 2 or colours[inset].min() >= BORDER_WHITE_LEVEL:
                return 0, 0, None
            width = _run(uniform, colours, inset)
        light = colours[inset].min() >= BORDER_LIGHT_LEVEL
        if light or inset + width < limit:
            break
    if width < min_px or inset + width >= (limit if light else dark_limit):
        return 0, 0, None
    # A frame ends in a step along (nearly) its whole length; a white margin ending at the product does not.
    step = np.abs(lines[inset + width + 1] - colours[inset]).max(axis=1) >= BORDER_MIN_STEP
    if step.mean() < BORDER_UNIFORM_SHARE:
        return 0, 0, None
    red, green, blue = (round(value) for value in colours[inset])
    return inset, width, (red, green, blue)


def _bar_on_white(side: np.ndarray, inset: int, width: int, colour: tuple[int, int, int] | None) -> bool:
    """Whether frame lines found on one side only are a bar laid along it: dark or strong, with white
    beyond along part of the side (BAR_WHITE_BEYOND_SHARE)."""
    if colour is None or min(colour) >= BORDER_LIGHT_LEVEL:
        return False
    beyond = inset + width + 1
    end = round(BORDER_CORNER_SHARE * side.shape[1])
    lines = side[beyond : beyond + BAR_RINGING_PX, end : side.shape[1] - end]
    if not lines.size:
        return False
    white = (lines.min(axis=2) >= BAR_WHITE_LEVEL).mean(axis=1)
    return bool(white.max() >= BAR_WHITE_BEYOND_SHARE)


def _lines(side: np.ndarray, count: int, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first `count` lines of `side` less `end` pixels at each end (int16), each line's colour,
    and whether each is uniform in it."""
    lines = side[:count, end : side.shape[1] - end].astype(np.int16)
    # Each line's colour: the median of 64 samples along it (a full median per line is 10x slower).
    stride = max(1, lines.shape[1] // 64)
    colours = np.median(lines[:, ::stride], axis=1)
    deviation = np.abs(lines - colours[:, None, :]).max(axis=2)
    uniform = (deviation <= BORDER_LINE_TOLERANCE).mean(axis=1) >= BORDER_UNIFORM_SHARE
    return lines, colours, uniform


def _run(uniform: np.ndarray, colours: np.ndarray, start: int) -> int:
    """How many uniform lines from `start` on have the colour of line `start`."""
    same = uniform[start:] & (np.abs(colours[start:] - colours[start]).max(axis=1) <= BORDER_COLOUR_TOLERANCE)
    return int(np.argmin(same)) if not same.all() else len(same)


def _quadratic_terms(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(x), x, y, x * x, y * y, x * y], axis=1)
