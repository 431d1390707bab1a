"""Per-pixel measures shared by the stages and the checks, done by OpenCV, and a fast masked gather.

numpy reduces a 3-long last axis slowly: `rgb.min(axis=2)` took 32 ms on a 1000x1000 image where
these take 2 ms (this machine), and the re-check of every output needs several of them. Its
boolean indexing of an H x W x 3 array is slow too (see `masked_pixels`).
"""

from __future__ import annotations

import cv2
import numpy as np


def channel_min(rgb: np.ndarray) -> np.ndarray:
    """The darkest channel of each pixel (H x W, the input's dtype)."""
    red, green, blue = cv2.split(rgb)
    return cv2.min(cv2.min(red, green), blue)


def channel_min_max(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The darkest and the brightest channel of each pixel (H x W each, the input's dtype), one split."""
    red, green, blue = cv2.split(rgb)
    return cv2.min(cv2.min(red, green), blue), cv2.max(cv2.max(red, green), blue)


def channel_sum(planes: np.ndarray) -> np.ndarray:
    """The sum of the channels of each pixel of an H x W x 3 float32 array (H x W)."""
    if planes.size == 0:  # cv2.transform returns None for an empty array
        return np.zeros(planes.shape[:2], np.float32)
    return cv2.transform(planes, np.ones((1, 3), np.float32))


def masked_average(image: np.ndarray, weight: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """`image` (float32, H x W x C, or H x W) averaged by a Gaussian of `sigma` px over the pixels
    `weight` (float32 H x W, 0 to 1) gives, so that what it leaves out does not bleed in; and that
    weight blurred the same way (how much of the average's own pixels lay near)."""
    near = cv2.GaussianBlur(weight, (0, 0), sigma)
    if image.ndim == 2:
        return cv2.GaussianBlur(image * weight, (0, 0), sigma) / np.maximum(near, 1e-6), near
    average = cv2.GaussianBlur(image * weight[:, :, None], (0, 0), sigma) / np.maximum(near, 1e-6)[:, :, None]
    return average, near


def masked_pixels(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """`image[mask]` (N x C, row-major order) for an H x W x C image and an H x W bool mask.

    The same values, gathered by flat index: numpy's boolean indexing of a 3-channel array took
    16 ms on 256 x 2000 float32 pixels with a third of them masked, this 3 ms (this machine).
    """
    return pixels_at(image, np.flatnonzero(mask))


def pixels_at(image: np.ndarray, flat_index: np.ndarray) -> np.ndarray:
    """The pixels (N x C) of an H x W x C image at row-major flat indices (`np.flatnonzero` of a mask)."""
    return np.take(image.reshape(-1, image.shape[-1]), flat_index, axis=0)


def channel_median(pixels: np.ndarray) -> np.ndarray:
    """The median of each channel of N x C uint8 pixels (float32, C), exactly `np.median(axis=0)`'s.

    Counted from a 256-bin histogram per channel: 3 ms where numpy's median took 17 ms for
    400,000 pixels (this machine).
    """
    count = len(pixels)
    if count == 0:
        return np.full(pixels.shape[1], np.nan, np.float32)
    medians = np.empty(pixels.shape[1], np.float32)
    for channel in range(pixels.shape[1]):
        below = np.cumsum(np.bincount(pixels[:, channel], minlength=256))
        # The values of rank (count - 1) // 2 and count // 2 (0-based): equal when count is odd.
        low, high = np.searchsorted(below, [(count - 1) // 2 + 1, count // 2 + 1])
        medians[channel] = (np.float32(low) + np.float32(high)) / np.float32(2)
    return medians


def gaussian_at(image: np.ndarray, rows: np.ndarray, cols: np.ndarray, sigma: float) -> np.ndarray:
    """`cv2.GaussianBlur(image.astype(np.float32), (0, 0), sigma)` at the pixels `rows`, `cols`
    only (the frame's edge replicated): for a few pixels of a large photo, not the whole plane."""
    radius = round(4 * sigma)  # OpenCV's kernel for a float32 image
    kernel = cv2.getGaussianKernel(2 * radius + 1, sigma, cv2.CV_32F)[:, 0]
    height, width = image.shape[:2]
    total = np.zeros((len(rows), *image.shape[2:]), np.float32)
    for dy, row_weight in zip(range(-radius, radius + 1), kernel, strict=True):
        near_rows = np.clip(rows + dy, 0, height - 1)
        for dx, col_weight in zip(range(-radius, radius + 1), kernel, strict=True):
            total += (row_weight * col_weight) * image[near_rows, np.clip(cols + dx, 0, width - 1)]
    return total


def box_gaussian_at(image: np.ndarray, rows: np.ndarray, cols: np.ndarray, sigma: float) -> np.ndarray:
    """`cv2.GaussianBlur(image.astype(np.float32), (0, 0), sigma)` at the pixels `rows`, `cols`,
    blurred over their bounding box and the kernel's reach only, one channel at a time: for many
    pixels (a product's edge), where `gaussian_at` is slow, without a float copy of the frame."""
    if not len(rows):
        return np.zeros((0, *image.shape[2:]), np.float32)
    radius = round(4 * sigma) + 1  # past OpenCV's kernel for a float32 image: the box's own edge is never read
    height, width = image.shape[:2]
    top, left = max(0, int(rows.min()) - radius), max(0, int(cols.min()) - radius)
    bottom, right = min(height, int(rows.max()) + radius + 1), min(width, int(cols.max()) + radius + 1)
    at_rows, at_cols = rows - top, cols - left
    planes = [image[top:bottom, left:right]] if image.ndim == 2 else cv2.split(image[top:bottom, left:right])
    picked = [cv2.GaussianBlur(plane.astype(np.float32), (0, 0), sigma)[at_rows, at_cols] for plane in planes]
    return picked[0] if image.ndim == 2 else np.stack(picked, axis=1)


# Rows of the luminance plane whose slope `slope_at` computes at once.
SLOPE_STRIP_ROWS = 256


def slope(luminance: np.ndarray) -> np.ndarray:
    """The steepness of a float32 luminance plane at each pixel, in levels per pixel (Sobel / 8)."""
    return cv2.magnitude(cv2.Sobel(luminance, cv2.CV_32F, 1, 0), cv2.Sobel(luminance, cv2.CV_32F, 0, 1)) / 8.0


# An edge is sharp when its steepest slope after an EDGE_FINE_SIGMA_PX blur is this many times that
# after an EDGE_COARSE_SIGMA_PX blur (`edge_slopes`): blurring by 3 px flattens a 1 px edge's
# slope about threefold, a penumbra's (sigma 2.5 px: 1.5) hardly at all.
EDGE_FINE_SIGMA_PX = 0.7
EDGE_COARSE_SIGMA_PX = 3.0
SHARP_EDGE_RATIO = 1.8


def fine_slope(luminance: np.ndarray) -> np.ndarray:
    """The slope of a float32 luminance plane after the fine blur (EDGE_FINE_SIGMA_PX), levels a pixel."""
    return slope(cv2.GaussianBlur(luminance, (0, 0), EDGE_FINE_SIGMA_PX))


def edge_slopes(luminance: np.ndarray, window_px: int, fine: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The steepest slope within `window_px` of each pixel after the fine blur and after the coarse
    one: their ratio tells a sharp outline from a soft one (a penumbra), whatever its contrast
    (`fine`: `fine_slope(luminance)`, where the caller has it already)."""
    window = np.ones((2 * window_px + 1, 2 * window_px + 1), np.uint8)
    fine = cv2.dilate(fine_slope(luminance) if fine is None else fine, window)
    coarse = cv2.dilate(slope(cv2.GaussianBlur(luminance, (0, 0), EDGE_COARSE_SIGMA_PX)), window)
    return fine, coarse


def slope_at(luminance: np.ndarray, where: np.ndarray) -> np.ndarray:
    """`slope(luminance)[where]`, computed a strip of rows at a time.

    The same values in the same order (to the last bit of a float32: OpenCV's vectorized square
    root splits a strip differently), without the three full-size float planes `slope` makes:
    for a 64 MP photo those were nearly 1 GB, the largest peak of `aefix check` on it.
    """
    rows = np.flatnonzero(where.any(axis=1))
    if rows.size == 0:
        return np.empty(0, np.float32)
    height = luminance.shape[0]
    parts = []
    for start in range(int(rows[0]), int(rows[-1]) + 1, SLOPE_STRIP_ROWS):
        stop = min(start + SLOPE_STRIP_ROWS, int(rows[-1]) + 1)
        # One row of context each side: Sobel's 3x3 kernel sees it, and the image's own edges
        # (rows 0 and height-1) are reflected as in the whole image.
        low, high = max(0, start - 1), min(height, stop + 1)
        parts.append(slope(luminance[low:high])[start - low : stop - low][where[start:stop]])
    return np.concatenate(parts)
