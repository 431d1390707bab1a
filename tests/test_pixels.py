import cv2
import numpy as np
import pytest

from aefix import pixels
from aefix.pixels import (
    box_gaussian_at,
    channel_median,
    channel_min,
    channel_min_max,
    channel_sum,
    masked_pixels,
    pixels_at,
    slope,
    slope_at,
)


def test_channel_min_max_and_sum_match_numpy_on_every_pixel() -> None:
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)
    rgb[5, 7] = (255, 255, 3)  # the darkest channel is the last one
    assert channel_min(rgb).dtype == np.uint8
    assert np.array_equal(channel_min(rgb), rgb.min(axis=2))
    assert channel_min(rgb)[5, 7] == 3
    darkest, brightest = channel_min_max(rgb)
    assert np.array_equal(darkest, rgb.min(axis=2))
    assert np.array_equal(brightest, rgb.max(axis=2))
    assert brightest[5, 7] == 255
    planes = rng.uniform(-10, 300, (37, 53, 3)).astype(np.float32)
    np.testing.assert_allclose(channel_sum(planes), planes.sum(axis=2), rtol=1e-5, atol=1e-3)
    empty = channel_sum(np.zeros((1, 0, 3), np.float32))  # no pixels: an empty plane, not None
    assert empty.shape == (1, 0) and empty.dtype == np.float32


def test_masked_pixels_are_boolean_indexing_in_the_same_order() -> None:
    rng = np.random.default_rng(11)
    for dtype in (np.uint8, np.float32):
        image = rng.uniform(0, 255, (31, 47, 3)).astype(dtype)
        for mask in (rng.random((31, 47)) < 0.3, np.zeros((31, 47), bool), np.ones((31, 47), bool)):
            gathered = masked_pixels(image, mask)
            assert gathered.dtype == dtype and np.array_equal(gathered, image[mask])
        strip = image[:, 5:20]  # a view that is not contiguous
        mask = rng.random((31, 15)) < 0.5
        assert np.array_equal(masked_pixels(strip, mask), strip[mask])
    assert np.array_equal(pixels_at(image, np.array([0, 47, 31 * 47 - 1])), image[[0, 1, 30], [0, 0, 46]])


def test_channel_median_is_numpys_median_for_odd_and_even_counts() -> None:
    rng = np.random.default_rng(13)
    for count in (1, 2, 3, 4, 257, 1000, 1001):
        for values in (rng.integers(0, 256, (count, 3)), rng.integers(100, 103, (count, 3))):
            pixels = values.astype(np.uint8)
            expected = np.median(pixels.astype(np.float32), axis=0)
            assert channel_median(pixels).dtype == np.float32
            assert np.array_equal(channel_median(pixels), expected)  # x.5 when the middle two differ
    assert list(channel_median(np.array([[10, 0, 255], [11, 0, 255]], np.uint8))) == [10.5, 0.0, 255.0]


@pytest.mark.parametrize("strip", [1, 7, 64, 10_000])
def test_slope_at_is_the_whole_planes_slope_at_those_pixels(monkeypatch: pytest.MonkeyPatch, strip: int) -> None:
    rng = np.random.default_rng(3)
    luminance = (rng.random((203, 157)) * 255).astype(np.float32)
    where = rng.random((203, 157)) < 0.2
    where[0, 5] = where[-1, 9] = True  # the image's own first and last rows
    monkeypatch.setattr(pixels, "SLOPE_STRIP_ROWS", strip)
    # Equal but for the last bit of a few values: OpenCV's vectorized square root splits a strip
    # into lanes differently from the whole plane.
    np.testing.assert_allclose(slope_at(luminance, where), slope(luminance)[where], rtol=1e-6, atol=0)
    assert slope_at(luminance, np.zeros_like(where)).size == 0


@pytest.mark.parametrize("corner", [(0, 0), (60, 40), (190, 140)])
def test_box_gaussian_at_is_the_whole_frames_float_blur_at_those_pixels(corner: tuple[int, int]) -> None:
    """Over the pixels' box only, a channel at a time, and in float: the frame's edge is handled as
    the whole frame's blur handles it, and no value is rounded to a whole level."""
    rng = np.random.default_rng(5)
    image = (rng.random((203, 157, 3)) * 255).astype(np.uint8)
    top, left = corner
    rows = np.clip(rng.integers(top, top + 13, 40), 0, 202)
    cols = np.clip(rng.integers(left, left + 17, 40), 0, 156)
    whole = cv2.GaussianBlur(image.astype(np.float32), (0, 0), 2.0)
    np.testing.assert_allclose(box_gaussian_at(image, rows, cols, 2.0), whole[rows, cols], rtol=0, atol=1e-3)
    assert not np.allclose(whole[rows, cols], np.rint(whole[rows, cols]))
    np.testing.assert_allclose(box_gaussian_at(image[:, :, 0], rows, cols, 2.0), whole[rows, cols, 0], atol=1e-3)
    assert box_gaussian_at(image, rows[:0], cols[:0], 2.0).shape == (0, 3)
