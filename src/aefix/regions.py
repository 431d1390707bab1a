"""Connected regions of a mask: which ones touch a place, and which are too small to be product.

Selecting components through a lookup table indexed by label is far cheaper than `np.isin`
over a 12 MP label image; the pipeline's stages and the compliance checks share these two.
"""

from __future__ import annotations

import cv2
import numpy as np

from aefix.errors import NoProductError

# A component under this share of the largest one is noise (from the network, or a stray mark).
MIN_COMPONENT_SHARE = 0.02
MIN_COMPONENT_PX = 16


def components_touching(mask: np.ndarray, region: np.ndarray, connectivity: int = 8) -> np.ndarray:
    """The connected components of `mask` that have at least one pixel in `region`."""
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=connectivity)
    if count <= 1:
        return np.zeros(mask.shape, dtype=bool)
    touched = np.bincount(labels[region], minlength=count) > 0
    touched[0] = False  # label 0 is everything outside `mask`
    return touched[labels]


def without_specks(mask: np.ndarray) -> np.ndarray:
    """`mask` less its components under MIN_COMPONENT_SHARE of the largest; NoProductError when empty."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        raise NoProductError("no product found (the mask is empty)")
    areas = stats[:, cv2.CC_STAT_AREA]
    big = areas >= max(MIN_COMPONENT_PX, MIN_COMPONENT_SHARE * areas[1:].max())
    big[0] = False
    return big[labels]
