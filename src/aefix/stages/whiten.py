"""White fill: the product composited over pure white."""

from __future__ import annotations

import cv2
import numpy as np

from aefix.stages.crop import CanvasLayers

# Below half a grey level of coverage a pixel is background: resampling noise, not product.
TRANSPARENT_ALPHA = 0.5 / 255.0


def fill_white(layers: CanvasLayers) -> np.ndarray:
    """uint8 RGB; every pixel with alpha under half a grey level is exactly 255,255,255.

    Colour is premultiplied, so an edge pixel is product over white, never old background
    over white: no grey fringe outside the product's edge.
    """
    white = 255.0 * (1.0 - layers.alpha)
    # OpenCV's saturating add rounds half to even, as np.rint does: the same bytes as rounding,
    # clipping and casting in numpy, in 10 ms instead of 32 at 1000 x 1000 (this machine).
    out: np.ndarray = cv2.add(layers.premultiplied, cv2.merge([white, white, white]), dtype=cv2.CV_8U)
    out.reshape(-1, 3)[np.flatnonzero(layers.alpha < TRANSPARENT_ALPHA)] = 255
    return out
