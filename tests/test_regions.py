"""regions: the box-cropped component selection equals a whole-frame reference on any mask."""

import cv2
import numpy as np
import pytest

from aefix.errors import NoProductError
from aefix.regions import bounding_box, components_at_least, components_touching, without_specks


def _reference_touching(mask: np.ndarray, region: np.ndarray, connectivity: int) -> np.ndarray:
    _, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=connectivity)
    touched = set(np.unique(labels[region & mask.astype(bool)]).tolist()) - {0}
    return np.isin(labels, sorted(touched))


def _random_masks(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(60):
        height, width = (int(side) for side in rng.integers(1, 70, 2))
        mask = rng.random((height, width)) < rng.random() * 0.6
        region = rng.random((height, width)) < 0.05
        cases.append((mask, region))
    return cases


@pytest.mark.parametrize("connectivity", [4, 8])
def test_components_touching_equals_the_whole_frame_reference(connectivity: int) -> None:
    for mask, region in _random_masks(connectivity):
        expected = _reference_touching(mask, region, connectivity)
        assert np.array_equal(components_touching(mask, region, connectivity), expected)
        # a uint8 mask (an OpenCV morphology result) and a strided view select alike
        assert np.array_equal(components_touching(mask.astype(np.uint8), region, connectivity), expected)
    frame = np.zeros((40, 60), bool)
    frame[5:10, 30:50] = True  # the mask's box is a non-contiguous view of the frame
    region = np.zeros_like(frame)
    region[9, 49] = True
    assert np.array_equal(components_touching(frame, region), frame)
    assert not components_touching(frame, ~region & ~frame).any()  # the region misses the mask


def test_without_specks_drops_what_is_small_beside_the_largest() -> None:
    mask = np.zeros((300, 400), bool)
    mask[100:200, 150:250] = True  # 10 000 px
    mask[10:14, 10:14] = True  # 16 px: over MIN_COMPONENT_PX, under 2% of the largest
    mask[290:300, 380:400] = True  # 200 px: exactly 2%, kept
    kept = without_specks(mask)
    assert kept[150, 200] and kept[295, 390]
    assert not kept[12, 12]
    assert kept.sum() == 10_000 + 200
    with pytest.raises(NoProductError):
        without_specks(np.zeros((5, 5), bool))


def test_bounding_box() -> None:
    mask = np.zeros((10, 12), bool)
    assert bounding_box(mask) is None
    mask[3, 4] = mask[6, 9] = True
    assert bounding_box(mask) == (slice(3, 7), slice(4, 10))
    # Widened, never before the first row or column (a stop past the end slices to the end).
    assert bounding_box(mask, 2) == (slice(1, 9), slice(2, 12))
    assert bounding_box(mask, 5) == (slice(0, 12), slice(0, 15))
    assert mask[bounding_box(mask, 5)].shape == mask.shape


def test_components_at_least_keeps_those_of_that_area() -> None:
    for mask, _ in _random_masks(11):
        _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
        big = stats[:, cv2.CC_STAT_AREA] >= 3
        big[0] = False
        assert np.array_equal(components_at_least(mask, 3), big[labels])
    assert not components_at_least(np.zeros((4, 4), bool), 1).any()
