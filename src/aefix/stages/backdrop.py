"""The backdrop behind the product: its local colour everywhere, its noise, and whether it is a sweep.

Measured on a copy about 256 px across (a backdrop's colour changes slowly), from the pixels well
away from the coarse product mask: a smooth quadratic model per channel fills in behind the
product, a local average follows what the quadratic cannot (vignetting, a lamp's hot spot). Its
noise is measured at full resolution on a sample of backdrop pixels, so texture a small copy
averages away (fabric weave, JPEG blocks) still counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from aefix.pixels import channel_sum, pixels_at

LOW_RES_SIDE = 256
# Backdrop pixels sampled at full resolution to measure its noise.
NOISE_SAMPLES = 200_000
# A plain backdrop (a sweep, when light too). Its 95th-percentile colour distance from the local model
# stays under this (sensor noise, JPEG and a fine weave; a dark or strongly grained table, a room
# goes over). bench-quality's light tables (grain of 4-9 levels) measure 8.8-20.2 on five seeds;
# at 18, the 10 over it kept the network's mask and with it a cast shadow the network was sure
# of (IoU 0.94), and on the colour-based mask none did worse. Of scikit-image's light photos,
# the astronaut and the tissue slide measure 58 and 53, the cameraman 18.7, then 29 once its dark
# half is fitted out (below).
SWEEP_MAX_NOISE = 21.0
# A sweep is light. On a darker plain backdrop the classic mask only takes out of the network's
# (`matte.classic_product`'s `grow`): there a scene's dark half can pass for a plain backdrop.
SWEEP_MIN_LUMA = 150.0
# Share of the frame the backdrop must cover to be measured at all.
MIN_BACKDROP_SHARE = 0.05
REMAP_ROW = 4096
SHADOW_PULL_LIMIT = 4.0
# A shadow keeps the backdrop's colour: a pixel of one lies within this RGB distance of the
# backdrop's colour darkened (`tint_length`).
SHADOW_MAX_CHROMA = 8.0
# On a sweep where at least FIT_MIN_DIP_SHARE of the backdrop lies this many levels under the
# quadratic (on the small copy, where noise is averaged away), it is fitted again without them: a
# large shadow's. bench-quality seeds 2026 and 7: cast and contact shadows 0.6-11% of the
# backdrop, moving the fit 0.75 levels at most when left out; a metal blob's shadow 24%, 50 levels.
FIT_MAX_DIP = 12.0
FIT_MIN_DIP_SHARE = 0.15
# The distance of 3-channel Gaussian noise from its mean: p95 / median and mean / median.
CHI3_P95_OVER_MEDIAN = 1.82
CHI3_MEAN_OVER_MEDIAN = 1.04
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], np.float32)
# Floor of each channel's noise variance in `Backdrop.noise_metric`: this share of the mean, and
# at least this many grey levels squared.
NOISE_FLOOR_SHARE = 0.1
NOISE_FLOOR_MIN = 1.0


@dataclass(frozen=True)
class Backdrop:
    low: np.ndarray  # float32 (h, w, 3): the backdrop's colour on the small copy, defined everywhere
    small: np.ndarray  # float32 (h, w, 3): the photo itself on that copy (INTER_AREA)
    # float32 (h, w, 3): the quadratic through the backdrop's pixels, fitted without outliers: the
    # sweep without `low`'s dip beside a shadow (up to SHADOW_PULL_LIMIT), around which the bare
    # sweep reads brighter than `low`.
    smooth: np.ndarray
    shape: tuple[int, int]  # the full-resolution (height, width) it describes
    noise: float  # 95th percentile of |pixel - model| over backdrop pixels, grey levels (RGB distance)
    typical: float  # the mean of that distance: what a patch of bare backdrop averages
    luma: float  # the backdrop's median brightness
    share: float  # share of the frame used as backdrop
    # The noise's covariance over the three channels (grey levels squared), measured with `noise`;
    # None where it could not be.
    noise_covariance: np.ndarray | None = None

    @property
    def is_plain(self) -> bool:
        """A near-uniform backdrop of any brightness, whose bare stretches its colour and grain tell."""
        return self.share >= MIN_BACKDROP_SHARE and self.noise <= SWEEP_MAX_NOISE

    @property
    def is_sweep(self) -> bool:
        """A near-uniform light backdrop, where colour alone separates product from background."""
        return self.is_plain and self.luma >= SWEEP_MIN_LUMA

    def at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The backdrop colour (float32, N x 3) at full-resolution pixel coordinates."""
        return sample_low(self.low, self.shape, rows, cols)

    def noise_metric(self) -> np.ndarray:
        """The metric (3 x 3) to weigh a colour difference against this backdrop's noise by: the
        inverse of the noise's covariance, scaled so that noise alike in every channel gives the
        identity. A table's grain, mostly brightness, then counts little against a difference in
        hue: a white ring on a wooden table differed from it by 16 levels, mostly in blue, against
        a grain of 14 levels p95, 81% correlated across channels. Each channel's variance is
        floored (NOISE_FLOOR_SHARE of the mean, at least NOISE_FLOOR_MIN levels squared): a
        direction that is quiet on bare backdrop is not as quiet at a product's edge (JPEG keeps
        colour at half resolution)."""
        identity = np.eye(3, dtype=np.float32)
        if self.noise_covariance is None or not np.isfinite(self.noise_covariance).all():
            return identity
        mean_variance = float(np.trace(self.noise_covariance)) / 3.0
        floored = self.noise_covariance + max(NOISE_FLOOR_MIN, NOISE_FLOOR_SHARE * mean_variance) * np.eye(3)
        metric: np.ndarray = (np.linalg.inv(floored) * (float(np.trace(floored)) / 3.0)).astype(np.float32)
        return metric


def sample_low(low: np.ndarray, shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Bilinear samples of a small map at full-resolution pixel coordinates (pixel centres aligned)."""
    low = np.ascontiguousarray(low)  # a channel slice of a larger map, too
    scale_y, scale_x = low.shape[0] / shape[0], low.shape[1] / shape[1]
    count = len(rows)
    if count == 0:
        return np.zeros((0, *low.shape[2:]), np.float32)
    # cv2.remap takes maps under 32767 on a side: lay the N points out as rows of REMAP_ROW.
    padded = -(-count // REMAP_ROW) * REMAP_ROW
    map_x = np.zeros(padded, np.float32)
    map_y = np.zeros(padded, np.float32)
    map_x[:count] = (cols.astype(np.float32) + 0.5) * scale_x - 0.5
    map_y[:count] = (rows.astype(np.float32) + 0.5) * scale_y - 0.5
    shape_2d = (padded // REMAP_ROW, REMAP_ROW)
    sampled = cv2.remap(
        low, map_x.reshape(shape_2d), map_y.reshape(shape_2d), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return sampled.reshape((padded, *low.shape[2:]))[:count].astype(np.float32, copy=False)


def low_res_size(shape: tuple[int, int]) -> tuple[int, int]:
    """(width, height) of the small copy."""
    height, width = shape
    scale = min(1.0, LOW_RES_SIDE / max(height, width))
    return max(2, round(width * scale)), max(2, round(height * scale))


def estimate_backdrop(rgb: np.ndarray, product: np.ndarray) -> Backdrop:
    """The backdrop around `product` (a bool mask, may be rough): local colour, noise, sweep or not."""
    height, width = product.shape
    size = low_res_size((height, width))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    near_product = cv2.resize(product.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0
    near_product = cv2.dilate(near_product.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    away = ~near_product
    share = float(away.mean())
    if share < MIN_BACKDROP_SHARE:  # the product fills the frame: take the outermost ring anyway
        away = np.zeros_like(away)
        away[[0, -1], :] = away[:, [0, -1]] = True
    weight = away.astype(np.float32)
    sigma = max(2.0, max(size) / 24)
    local_sum = cv2.GaussianBlur(small * weight[:, :, None], (0, 0), sigma)
    local_weight = cv2.GaussianBlur(weight, (0, 0), sigma)[:, :, None]
    luma = float(np.median(small[away] @ LUMA_WEIGHTS))
    quadratic = _quadratic_fit(small, away)
    low = _local_model(local_sum, local_weight, quadratic)
    noise, typical, covariance = _noise(rgb, low, product)
    backdrop = Backdrop(low, small, quadratic, (height, width), noise, typical, luma, share, covariance)
    if backdrop.is_sweep and np.mean((small[away] - quadratic[away]).mean(axis=1) < -FIT_MAX_DIP) >= FIT_MIN_DIP_SHARE:
        # A cast shadow over a sixth of the sweep or more pulls the fit down by half its depth
        # (and the spread it adds keeps it in): fitted again without what lies well under the
        # fit. Not elsewhere: in a room or on a table the dark half of the scene is no shadow.
        quadratic = _quadratic_fit(small, away, max_dip=FIT_MAX_DIP)
        low = _local_model(local_sum, local_weight, quadratic)
        noise, typical, covariance = _noise(rgb, low, product)
        backdrop = Backdrop(low, small, quadratic, (height, width), noise, typical, luma, share, covariance)
    return backdrop


def _local_model(local_sum: np.ndarray, local_weight: np.ndarray, quadratic: np.ndarray) -> np.ndarray:
    """Where backdrop pixels are near, their local average; behind the product, the quadratic."""
    prior = 0.05
    low = (local_sum + prior * quadratic) / (local_weight + prior)
    # Shadows only darken: a local average dragged below the smooth fit is a shadow's doing,
    # and the backdrop under it is the fit's.
    return np.maximum(low, quadratic - SHADOW_PULL_LIMIT).astype(np.float32)


def _quadratic_fit(small: np.ndarray, where: np.ndarray, max_dip: float = np.inf) -> np.ndarray:
    """Per-channel quadratic surface through the `where` pixels, refitted without outliers and
    without pixels more than `max_dip` levels under it."""
    height, width = where.shape
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    xx, yy = xx / width - 0.5, yy / height - 0.5
    basis = np.stack([np.ones_like(xx), xx, yy, xx * xx, xx * yy, yy * yy], axis=-1)
    rows, cols = np.nonzero(where)
    design, values = basis[rows, cols], small[rows, cols]
    keep = np.ones(len(rows), bool)
    coefficients = np.zeros((6, 3), np.float32)
    for _ in range(3):
        if keep.sum() < 12:
            break
        coefficients = np.linalg.lstsq(design[keep], values[keep], rcond=None)[0]
        offset = values - design @ coefficients
        residual = np.linalg.norm(offset, axis=1)
        keep = (residual <= max(4.0, 3.0 * 1.4826 * float(np.median(residual)))) & (offset.mean(axis=1) >= -max_dip)
    return (basis @ coefficients).astype(np.float32)


def _noise(rgb: np.ndarray, low: np.ndarray, product: np.ndarray) -> tuple[float, float, np.ndarray | None]:
    """Noise of the backdrop around its model: (95th-percentile distance, mean distance) of bare
    backdrop, and its covariance over the three channels (of the pixels within that percentile).

    Both are read off the median of a grid sample of backdrop pixels, as for Gaussian noise on
    three channels (a chi distribution): a cast shadow or a stray object covering a fifth of the
    backdrop does not count as noise.
    """
    height, width = product.shape
    step = max(1, int(np.sqrt(height * width / NOISE_SAMPLES)))
    margin = max(3, max(height, width) // 100)
    clear = ~cv2.dilate(product.astype(np.uint8), np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)).astype(bool)
    rows, cols = np.nonzero(clear[::step, ::step])  # the grid's clear points, in row-major order
    if len(rows) < 100:
        return float("inf"), float("inf"), None
    rows, cols = rows * step, cols * step
    residual = _residual(rgb, low, rows, cols)
    distance = np.linalg.norm(residual, axis=1)
    median = float(np.median(distance))
    within = residual[distance <= CHI3_P95_OVER_MEDIAN * median].astype(np.float64)
    covariance = within.T @ within / max(1, len(within))
    return CHI3_P95_OVER_MEDIAN * median, CHI3_MEAN_OVER_MEDIAN * median, covariance


def noise_around(rgb: np.ndarray, model: np.ndarray, product: np.ndarray) -> float:
    """`Backdrop.noise` as measured in another version of the photo (`rgb`: one averaged over a few
    pixels) around `model`, a small map of the backdrop's colour (`Backdrop.low`, or a local
    average that follows more of it), on the backdrop clear of `product`."""
    return _noise(rgb, model, product)[0]


def noise_at(rgb: np.ndarray, model: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> float:
    """The noise (95th-percentile distance, read off the median as `Backdrop.noise` is) of `rgb`
    around `model`, a small map of its expected colour, at the pixels `rows`, `cols`."""
    return CHI3_P95_OVER_MEDIAN * float(np.median(np.linalg.norm(_residual(rgb, model, rows, cols), axis=1)))


def _residual(rgb: np.ndarray, model: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """`rgb` less `model` (a small map) at the pixels `rows`, `cols` (float32, N x 3)."""
    height, width = rgb.shape[:2]
    pixels = pixels_at(rgb, rows * width + cols).astype(np.float32)
    return pixels - sample_low(model, (height, width), rows, cols)


def tint_length(pixels: np.ndarray, back: np.ndarray) -> np.ndarray:
    """The length of each pixel's `matte.tint_off_backdrop` at its `matte.backdrop_gain` (both float32 H x W x 3):
    the square of its difference from `back` less that difference's part along `back`. Under half
    the time of the tint's own three planes (a 1000 x 750 copy: 9 against 23 ms), within 0.002
    levels; from the pixel itself rather than its difference, float32 would lose the tints near 0."""
    difference = pixels - back
    along = channel_sum(difference * back)
    squared = channel_sum(difference * difference) - along * along / np.maximum(channel_sum(back * back), 1.0)
    return np.sqrt(np.maximum(squared, 0.0))
