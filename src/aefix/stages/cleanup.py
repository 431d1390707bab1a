"""Shadow cleanup: drop from the product mask the soft shadows the network took for product.

A cast or contact shadow on a sweep is the background's own colour, only darker, smooth, and
attached to the product's outline; the network is usually less sure of it than of the product.
Pixels that are all of these at once leave the mask and so become pure white later.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from aefix.pixels import channel_median, masked_pixels
from aefix.regions import bounding_box, components_touching
from aefix.segment import ProductMask, mask_from_soft
from aefix.settings import Settings

# Chromaticity distance (L1 over r,g,b shares) under which a pixel has the background's hue.
SHADOW_MAX_CHROMA_DISTANCE = 0.035
# A shadow darkens the backdrop to between these shares of its brightness.
SHADOW_LUMA_RANGE = (0.30, 0.985)
# Local standard deviation (grey levels, 7x7) above which a region has texture, not shadow.
SHADOW_MAX_TEXTURE = 6.0
# Network confidence at or above which a pixel is product whatever its colour: u2netp gave
# shadows it kept 0.50-0.75 and light product edges 0.76 and up on tests/synth.py photos.
SHADOW_MAX_SOFT = 0.7
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)
# The reason given when the backdrop's median luma is under 128: a shadow on it is too faint here.
TOO_DARK_FOR_CLEANUP = "background too dark for shadow detection"
# If a "shadow" would take more than this share of the mask, the product itself is grey: stop.
SHADOW_MAX_SHARE = 0.35


@dataclass(frozen=True)
class CleanupResult:
    mask: ProductMask
    shadow_share: float
    skipped_reason: str | None = None


def remove_shadow(rgb: np.ndarray, mask: ProductMask, settings: Settings) -> CleanupResult:
    """Mask without shadow-like regions attached to its outline; the product itself is never whitened.

    Invariant: the returned hard mask is a subset of the input's.
    """
    del settings  # thresholds are module constants until the cleanup issue makes them settings
    outside = ~mask.hard
    if outside.mean() < 0.01:
        return CleanupResult(mask, 0.0, "no background visible to compare with")
    reference = _frame_ring_pixels(rgb, outside, width=max(4, min(outside.shape) // 25))
    if len(reference) < 64:
        reference = masked_pixels(rgb, outside)
    background = channel_median(reference)
    if float(background @ LUMA_WEIGHTS) < 128:
        return CleanupResult(mask, 0.0, TOO_DARK_FOR_CLEANUP)

    unsure = mask.hard & (mask.soft < SHADOW_MAX_SOFT)
    if not unsure.any():
        return CleanupResult(mask, 0.0)
    shadow = _attached_to(_shadow_like(rgb, unsure, background), outside)
    share = float(shadow.sum()) / max(1, int(mask.hard.sum()))
    if share == 0.0:
        return CleanupResult(mask, 0.0)
    if share > SHADOW_MAX_SHARE:
        return CleanupResult(mask, 0.0, f"shadow-like area is {share:.0%} of the product: kept, product may be grey")
    soft = np.where(shadow, 0.0, mask.soft).astype(np.float32)
    return CleanupResult(mask_from_soft(soft), share)


def _shadow_like(rgb: np.ndarray, unsure: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Unsure pixels with the backdrop's hue, darker by a shadow's amount, in a smooth neighbourhood.

    Colour tests run on the unsure pixels alone and texture on one grey channel, so a 12 MP photo
    costs a few grey-level planes, not a dozen float RGB copies.
    """
    # Everything is read in the unsure pixels' box, widened by the texture blur's reach.
    window = bounding_box(unsure, 4)
    if window is None:
        return np.zeros(unsure.shape, bool)
    rows, cols = np.nonzero(unsure[window])
    around = rgb[window]
    luma = cv2.cvtColor(around, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mean = cv2.blur(luma, (7, 7))
    texture = np.sqrt(np.maximum(cv2.blur(luma * luma, (7, 7)) - mean * mean, 0.0))
    pixels = around[rows, cols].astype(np.float32)
    chroma = pixels / (pixels.sum(axis=1, keepdims=True) + 1e-3)
    chroma_distance = np.abs(chroma - background / (background.sum() + 1e-3)).sum(axis=1)
    ratio = luma[rows, cols] / float(background @ LUMA_WEIGHTS)
    keep = (
        (chroma_distance < SHADOW_MAX_CHROMA_DISTANCE)
        & (ratio >= SHADOW_LUMA_RANGE[0])
        & (ratio <= SHADOW_LUMA_RANGE[1])
        & (texture[rows, cols] < SHADOW_MAX_TEXTURE)
    )
    shadow_like = np.zeros(unsure.shape, np.uint8)
    shadow_like[window][rows[keep], cols[keep]] = 1
    return cv2.morphologyEx(shadow_like, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)).astype(bool)


def _frame_ring_pixels(rgb: np.ndarray, where: np.ndarray, width: int) -> np.ndarray:
    """The pixels (N x 3) of `where` within `width` of the frame's edge, taken strip by strip:
    indexing the whole frame with a ring mask reads every pixel to keep a few percent."""
    height, frame_width = where.shape
    if 2 * width >= min(height, frame_width):  # the strips would overlap: the ring is the whole frame
        return masked_pixels(rgb, where)
    strips = (
        (slice(0, width), slice(None)),
        (slice(height - width, height), slice(None)),
        (slice(width, height - width), slice(0, width)),
        (slice(width, height - width), slice(-width, None)),
    )
    return np.concatenate([masked_pixels(rgb[strip], where[strip]) for strip in strips])


def _attached_to(candidate: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Connected components of `candidate` that touch `region` (one pixel of dilation)."""
    return components_touching(candidate, cv2.dilate(region.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool))
