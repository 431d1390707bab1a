"""Smart crop: the product's bounding box, scaled to the margin, centred on the output canvas."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from aefix.errors import NoProductError
from aefix.regions import bounding_box
from aefix.settings import Settings

# Cubic upscaling spreads each source pixel's alpha two source pixels further: at x2.5 a faint tail
# five output pixels into the backdrop, greying it. Alpha this close to 0 after an upscale (or
# beside the body after a downscale, below) is that tail, not product (the same cut-off as the
# matte's own edge snap).
TAIL_ALPHA_FLOOR = 0.06
# An upscaled edge is steepened about the middle of its ramp: the matte's product/backdrop
# boundary, or half the highest alpha of a part too thin to reach it, within this many source px.
EDGE_MIDDLE = 0.5
STEEPEN_REACH_SOURCE_PX = 3
# Downscaling averages the faint outer end of the matte's edge ramp into new faint pixels, a grey
# tail on the backdrop a pixel or two past the product (bench-quality seed 2026's metal blob:
# alpha 0.03, 2.2 px past the true product). Under the same floor they go where the product's
# body (alpha 0.5 and over) lies within this many output px; a part too thin or faint to reach
# 0.5 anywhere near, which downscaling has made fainter still, keeps its own.
DOWNSCALED_TAIL_REACH_PX = 3


@dataclass(frozen=True)
class CanvasLayers:
    """The product placed on the output canvas, colour premultiplied by alpha (float32, 0-255)."""

    premultiplied: np.ndarray
    alpha: np.ndarray
    scale: float
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the product on the canvas, exclusive ends


def product_box(alpha: np.ndarray) -> tuple[int, int, int, int]:
    """Bounding box (x0, y0, x1, y1, exclusive ends) of every pixel with alpha > 0."""
    box = bounding_box(alpha > 0)
    if box is None:
        raise NoProductError("no product found (empty mask)")
    rows, cols = box
    return cols.start, rows.start, cols.stop, rows.stop


def crop_to_canvas(rgb: np.ndarray, alpha: np.ndarray, settings: Settings, matted: bool = False) -> CanvasLayers:
    """Product centred on the output canvas, scaled to fit it less a margin of `margin_ratio` per side.

    On a square canvas the product's longer side is size * (1 - 2 * margin).

    Invariants: the whole product is on the canvas (never cut); alpha is exactly 0 where the
    resampled product does not reach. Colour is resampled premultiplied so no old background
    bleeds into the edge.

    `matted` is for aefix's own matte, whose alpha is fractional only along the product's edge:
    an upscale by s stretches that edge's ramp s times, a part-grey band around the product (and
    on the backdrop, where the ramp ran wide of the true edge); steepened s times about its
    middle, the ramp is as wide on the canvas as it was in the photo, and where the product's
    boundary lies does not move (a part too thin to reach alpha 0.5 keeps its own). A downscale
    leaves no faint tail beside the product's body either (DOWNSCALED_TAIL_REACH_PX).
    A cut-out's own alpha can be fractional anywhere (glass, a soft shadow the user kept): left
    as it is.
    """
    x0, y0, x1, y1 = product_box(alpha)
    region_alpha: np.ndarray = alpha[y0:y1, x0:x1].astype(np.float32)
    region: np.ndarray = rgb[y0:y1, x0:x1].astype(np.float32) * region_alpha[:, :, None]
    width, height = x1 - x0, y1 - y0
    canvas_width, canvas_height = settings.canvas_px
    room = 1.0 - 2.0 * settings.margin_ratio
    scale = min(canvas_width * room / width, canvas_height * room / height)
    new_width = min(canvas_width, max(1, round(width * scale)))
    new_height = min(canvas_height, max(1, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
    source_alpha = region_alpha
    if (new_width, new_height) != (width, height):
        region = cv2.resize(region, (new_width, new_height), interpolation=interpolation)
        region_alpha = cv2.resize(region_alpha, (new_width, new_height), interpolation=interpolation)
    region_alpha = np.clip(region_alpha, 0.0, 1.0)
    if scale > 1.0 and matted:
        steep = _steepened(region_alpha, source_alpha, scale)
        # The same colour at the new coverage: premultiplied colour scales with alpha.
        region *= np.divide(steep, region_alpha, out=np.zeros_like(steep), where=region_alpha > 0.0)[:, :, None]
        region_alpha = steep
    if scale > 1.0:
        region_alpha[region_alpha < TAIL_ALPHA_FLOOR] = 0.0
    elif scale < 1.0 and matted:
        reach = 2 * DOWNSCALED_TAIL_REACH_PX + 1
        body = (region_alpha >= EDGE_MIDDLE).view(np.uint8)
        near_body = cv2.dilate(body, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach))).view(bool)
        region_alpha[near_body & (region_alpha < TAIL_ALPHA_FLOOR)] = 0.0
    region = np.clip(region, 0.0, 255.0 * region_alpha[:, :, None])

    left, top = (canvas_width - new_width) // 2, (canvas_height - new_height) // 2
    premultiplied = np.zeros((canvas_height, canvas_width, 3), dtype=np.float32)
    canvas_alpha = np.zeros((canvas_height, canvas_width), dtype=np.float32)
    premultiplied[top : top + new_height, left : left + new_width] = region
    canvas_alpha[top : top + new_height, left : left + new_width] = region_alpha
    return CanvasLayers(premultiplied, canvas_alpha, scale, (left, top, left + new_width, top + new_height))


def _steepened(upscaled: np.ndarray, source: np.ndarray, scale: float) -> np.ndarray:
    """`upscaled` (`source` alpha scaled up by `scale`) with each edge's ramp `scale` times steeper
    about its middle, 0.5.

    A part thinner than a source pixel (a fine cable) may never reach alpha 0.5: steepened about
    0.5 it would vanish. Where the highest alpha within three source pixels (the ramp and the
    cubic tail beyond it) is under 0.5, the ramp is steepened about half that highest alpha,
    which is kept.
    """
    reach = 2 * STEEPEN_REACH_SOURCE_PX + 1
    peak = cv2.dilate(source, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))
    if not ((peak < EDGE_MIDDLE) & (source > 0.0)).any():  # the usual case: every part reaches 0.5
        return np.clip((upscaled - EDGE_MIDDLE) * scale + EDGE_MIDDLE, 0.0, 1.0)
    peak = cv2.resize(peak, (upscaled.shape[1], upscaled.shape[0]), interpolation=cv2.INTER_LINEAR)
    top = np.where(peak < EDGE_MIDDLE, peak, 1.0).astype(np.float32)
    relative = np.divide(upscaled, top, out=np.zeros_like(upscaled), where=top > 0.0)
    return top * np.clip((relative - EDGE_MIDDLE) * scale + EDGE_MIDDLE, 0.0, 1.0)
