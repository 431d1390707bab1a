import io

import numpy as np
from PIL import Image, JpegImagePlugin

from aefix.settings import Settings
from aefix.stages.export import encode_image


def _product_on_white(size: int = 1000, seed: int = 0) -> np.ndarray:
    rgb = np.full((size, size, 3), 255, np.uint8)
    rng = np.random.default_rng(seed)
    low, high = size * 3 // 10, size * 7 // 10
    rgb[low:high, low:high] = rng.integers(0, 255, (high - low, high - low, 3), dtype=np.uint8)
    return rgb


def test_jpeg_is_444_without_metadata_and_white_stays_exact():
    encoded = encode_image(_product_on_white(), Settings())
    assert encoded.data[:3] == b"\xff\xd8\xff"
    image = Image.open(io.BytesIO(encoded.data))
    assert JpegImagePlugin.get_sampling(image) == 0  # 4:4:4
    assert not image.getexif() and "icc_profile" not in image.info
    decoded = np.asarray(image)
    # Away from the product (more than one 8x8 block), white decodes as exactly 255.
    far = np.ones((1000, 1000), bool)
    far[284:716, 284:716] = False
    assert (decoded[far] == 255).all()
    assert encoded.quality == 95 and encoded.fits


def test_quality_steps_down_until_the_file_fits():
    rgb = np.random.default_rng(1).integers(0, 255, (1000, 1000, 3), dtype=np.uint8)
    first = encode_image(rgb, Settings())
    limit = len(first.data) * 2 // 3
    encoded = encode_image(rgb, Settings(max_bytes=limit))
    assert encoded.fits and len(encoded.data) <= limit
    assert encoded.quality is not None and encoded.quality < 95 and (95 - encoded.quality) % 5 == 0


def test_reports_when_even_the_lowest_quality_does_not_fit():
    rgb = np.random.default_rng(2).integers(0, 255, (1000, 1000, 3), dtype=np.uint8)
    encoded = encode_image(rgb, Settings(max_bytes=10_000))
    assert not encoded.fits and encoded.quality == 50


def test_png_is_lossless():
    rgb = _product_on_white(300)
    encoded = encode_image(rgb, Settings(output_format="png"))
    assert encoded.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(encoded.data))), rgb)
