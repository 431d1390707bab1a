"""Shadow cleanup: drop from the product mask the soft shadows the network took for product.

A cast or contact shadow on a sweep is the background's own colour, only darker, smooth, and
attached to the product's outline; the network is usually less sure of it than of the product.
Pixels that are all of these at once leave the mask and so become pure white later.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

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
    ring = _frame_ring(outside.shape, width=max(4, min(outside.shape) // 25))
    reference = rgb[ring & outside]
    if len(reference) < 64:
        reference = rgb[outside]
    background = np.median(reference.astype(np.float32), axis=0)

    pixels = rgb.astype(np.float32)
    luma = pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    background_luma = float(background @ np.array([0.299, 0.587, 0.114], dtype=np.float32))
    if background_luma < 128:
        return CleanupResult(mask, 0.0, "background too dark for shadow detection")
    chroma = pixels / (pixels.sum(axis=2, keepdims=True) + 1e-3)
    background_chroma = background / (background.sum() + 1e-3)
    chroma_distance = np.abs(chroma - background_chroma).sum(axis=2)
    ratio = luma / background_luma
    mean = cv2.blur(luma, (7, 7))
    texture = np.sqrt(np.maximum(cv2.blur(luma * luma, (7, 7)) - mean * mean, 0.0))

    candidate = (
        mask.hard
        & (mask.soft < SHADOW_MAX_SOFT)
        & (chroma_distance < SHADOW_MAX_CHROMA_DISTANCE)
        & (ratio >= SHADOW_LUMA_RANGE[0])
        & (ratio <= SHADOW_LUMA_RANGE[1])
        & (texture < SHADOW_MAX_TEXTURE)
    )
    candidate = cv2.morphologyEx(candidate.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)).astype(bool)
    shadow = _attached_to(candidate, outside)
    share = float(shadow.sum()) / max(1, int(mask.hard.sum()))
    if share == 0.0:
        return CleanupResult(mask, 0.0)
    if share > SHADOW_MAX_SHARE:
        return CleanupResult(mask, 0.0, f"shadow-like area is {share:.0%} of the product: kept, product may be grey")
    soft = np.where(shadow, 0.0, mask.soft).astype(np.float32)
    return CleanupResult(mask_from_soft(soft), share)


def _frame_ring(shape: tuple[int, ...], width: int) -> np.ndarray:
    ring = np.zeros(shape[:2], dtype=bool)
    ring[:width] = ring[-width:] = True
    ring[:, :width] = ring[:, -width:] = True
    return ring


def _attached_to(candidate: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Connected components of `candidate` that touch `region` (one pixel of dilation)."""
    count, labels = cv2.connectedComponents(candidate.astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros_like(candidate)
    touching = cv2.dilate(region.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    attached = np.unique(labels[touching & candidate])
    attached = attached[attached > 0]
    return np.isin(labels, attached)
