"""White fill: the product composited over pure white."""

from __future__ import annotations

import numpy as np

from aefix.stages.crop import CanvasLayers

# Below half a grey level of coverage a pixel is background: resampling noise, not product.
TRANSPARENT_ALPHA = 0.5 / 255.0


def fill_white(layers: CanvasLayers) -> np.ndarray:
    """uint8 RGB; every pixel with alpha under half a grey level is exactly 255,255,255.

    Colour is premultiplied, so an edge pixel is product over white, never old background
    over white: no grey fringe outside the product's edge.
    """
    alpha = layers.alpha[:, :, None]
    out = layers.premultiplied + 255.0 * (1.0 - alpha)
    out = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    out[layers.alpha < TRANSPARENT_ALPHA] = 255
    return out
