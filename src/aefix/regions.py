"""Connected regions of a mask: which ones touch a place, which are too small to be product, and
whether one is the cast shadow of another.

Most work inside the box around the mask (a product is often a third of the frame) and select
components through a lookup table indexed by label, far cheaper than `np.isin` over a 12 MP
label image. The pipeline's stages and the compliance checks share them.
"""

from __future__ import annotations

import cv2
import numpy as np

from aefix.errors import NoProductError

# A component under this share of the largest one is noise (from the network, or a stray mark).
MIN_COMPONENT_SHARE = 0.02
MIN_COMPONENT_PX = 16


def bounding_box(mask: np.ndarray, margin: int = 0) -> tuple[slice, slice] | None:
    """The smallest (rows, cols) slices holding every set pixel of `mask`, widened by `margin` px
    (within the image); None when it is empty."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return (
        slice(max(0, int(rows[0]) - margin), int(rows[-1]) + 1 + margin),
        slice(max(0, int(cols[0]) - margin), int(cols[-1]) + 1 + margin),
    )


def components_touching(mask: np.ndarray, region: np.ndarray, connectivity: int = 8) -> np.ndarray:
    """The connected components of `mask` that have at least one pixel in `region`."""
    selected = np.zeros(mask.shape, dtype=bool)
    box = bounding_box(mask)
    if box is None:
        return selected
    inside = mask[box].astype(bool, copy=False)
    count, labels = cv2.connectedComponents(inside.view(np.uint8), connectivity=connectivity)
    touched = np.bincount(labels[region[box] & inside], minlength=count) > 0
    touched[0] = False  # label 0 is everything outside `mask`
    selected[box] = touched[labels]
    return selected


def label_maxima(labels: np.ndarray, count: int, where: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The largest of `values` over each of `count` labels' pixels in `where` (float32; 0 for a
    label with none there)."""
    maxima = np.zeros(count, np.float32)
    np.maximum.at(maxima, labels[where], values[where])
    return maxima


def without_specks(mask: np.ndarray) -> np.ndarray:
    """`mask` less its components under MIN_COMPONENT_SHARE of the largest; NoProductError when empty."""
    box = bounding_box(mask)
    if box is None:
        raise NoProductError("no product found (the mask is empty)")
    return _components_by_area(mask, box, MIN_COMPONENT_PX, MIN_COMPONENT_SHARE)


def components_at_least(mask: np.ndarray, min_area: int) -> np.ndarray:
    """The 8-connected components of `mask` with at least `min_area` pixels."""
    box = bounding_box(mask)
    if box is None:
        return np.zeros(mask.shape, dtype=bool)
    return _components_by_area(mask, box, min_area)


def _components_by_area(mask: np.ndarray, box: tuple[slice, slice], min_px: int, min_share: float = 0.0) -> np.ndarray:
    """Components of `mask` (all inside `box`) of at least `min_px` pixels and `min_share` of the largest."""
    inside = mask[box].astype(bool, copy=False)
    count, labels = cv2.connectedComponents(inside.view(np.uint8), connectivity=8)
    areas = np.bincount(labels[inside], minlength=count)
    big = areas >= max(min_px, min_share * areas[1:].max())
    big[0] = False
    kept = np.zeros(mask.shape, dtype=bool)
    kept[box] = big[labels]
    return kept


def cast_match(
    rest: np.ndarray, shade: np.ndarray, side_px: int, max_shift_share: float
) -> tuple[float, tuple[int, int]]:
    """How well `rest` (an object's mask), shifted, covers `shade` (a mask apart from it) as its cast
    shadow would: the best intersection over union of the part of the shifted `rest` that leaves
    `rest` itself with `shade`, over every shift up to `max_shift_share` of the side, and that
    shift (rows, cols) in full-size pixels. All shifts at once, by FFT correlation at `side_px`."""
    scale = side_px / max(rest.shape)
    size = (max(1, round(rest.shape[1] * scale)), max(1, round(rest.shape[0] * scale)))
    body = cv2.resize(rest.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    cast = cv2.resize(shade.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    padded = (2 * body.shape[0], 2 * body.shape[1])  # no wrapping around
    spectrum = np.fft.rfft2(body, padded)
    # overlap[d] = sum over x of body(x) * cast(x + d); shade and rest never overlap, so the body
    # shifted by d covers cast there only where it leaves itself.
    overlap = np.fft.irfft2(np.fft.rfft2(cast, padded) * np.conj(spectrum), padded)
    own = np.fft.irfft2(spectrum * np.conj(spectrum), padded)
    iou = overlap / np.maximum(1e-6, body.sum() - own + cast.sum() - overlap)
    reach = max(2, round(max_shift_share * side_px))
    shifts = np.r_[0 : reach + 1, -reach:0]
    window = iou[np.ix_(shifts % padded[0], shifts % padded[1])]
    rows, cols = np.meshgrid(shifts, shifts, indexing="ij")
    window[np.abs(rows) + np.abs(cols) < 2] = 0.0  # a pixel's shift is the outline's own blur
    best = np.unravel_index(int(np.argmax(window)), window.shape)
    return float(window[best]), (round(rows[best] / scale), round(cols[best] / scale))
