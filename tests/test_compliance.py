import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aefix.compliance import check_bytes, check_file
from aefix.settings import Profile

PROFILE = Profile()


def _encode(rgb: np.ndarray, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, fmt, **options)
    return buffer.getvalue()


def _main_image(size: int = 1000, background: int = 255) -> np.ndarray:
    rgb = np.full((size, size, 3), background, np.uint8)
    rgb[size // 5 : size * 4 // 5, size // 4 : size * 3 // 4] = (180, 30, 30)
    return rgb


def codes(result) -> list[str]:
    return [finding.code for finding in result.findings]


def test_clean_main_image_scores_100() -> None:
    result = check_bytes("a.png", _encode(_main_image()), PROFILE)
    assert result.score == 100.0 and result.passed and result.findings == []
    assert result.metrics["background_impure_pct"] == 0.0


def test_clean_jpeg_passes_and_ringing_is_measured_apart() -> None:
    result = check_bytes("a.jpg", _encode(_main_image(), "JPEG", quality=90, subsampling=0), PROFILE)
    assert result.passed, result.findings
    assert result.metrics["background_impure_pct"] == 0.0
    assert "edge_band_impure_pct" in result.metrics  # ringing next to the product is measured apart


@pytest.mark.parametrize("grey", [238, 250])
def test_grey_background_fails_with_measured_values(grey: int) -> None:
    result = check_bytes("a.png", _encode(_main_image(background=grey)), PROFILE)
    assert codes(result) == ["background.impure", "background.gray"] and not result.passed
    finding = result.findings[0]
    assert finding.value == 100.0
    assert f"mean gray tone {100 * (255 - grey) / 255:.1f}%" in finding.message


def test_a_few_grey_pixels_cost_points_proportionally() -> None:
    rgb = _main_image()
    rgb[:10, :] = 250  # a 10-px grey strip along the top: 1% of the image
    finding = check_bytes("a.png", _encode(rgb), PROFILE).findings[0]
    assert finding.code == "background.impure" and finding.severity == "warn"
    assert 1.0 < finding.value < 2.0 and finding.deduction == round(2 * finding.value, 1)


def test_webp_named_jpg_is_caught_by_magic_bytes() -> None:
    result = check_bytes("shoe.jpg", _encode(_main_image(), "WEBP"), PROFILE)
    assert codes(result) == ["format.not_allowed"] and result.score == 0.0


def test_png_named_jpg_is_a_mismatch() -> None:
    assert "format.extension_mismatch" in codes(check_bytes("shoe.jpg", _encode(_main_image()), PROFILE))


def test_small_and_non_square_images() -> None:
    assert codes(check_bytes("s.png", _encode(_main_image(700)), PROFILE)) == ["dimensions.too_small"]
    wide = np.full((900, 1200, 3), 255, np.uint8)
    wide[300:600, 300:900] = 20
    result = check_bytes("w.png", _encode(wide), PROFILE)
    assert codes(result) == ["dimensions.below_recommended", "dimensions.aspect"]
    assert result.score == 95.0 and result.passed


def test_over_five_megabytes_fails(tmp_path: Path) -> None:
    noise = np.random.default_rng(0).integers(0, 255, (1500, 1500, 3), dtype=np.uint8)
    path = tmp_path / "big.png"
    path.write_bytes(_encode(noise))
    assert path.stat().st_size > 5_000_000
    result = check_file(path, PROFILE)
    assert "size.too_large" in codes(result) and not result.passed


def test_product_filling_a_dark_frame_has_no_white_background() -> None:
    result = check_bytes("d.png", _encode(np.full((1000, 1000, 3), 40, np.uint8)), PROFILE)
    assert codes(result)[0] == "background.not_white" and not result.passed


def test_transparency_is_judged_over_white() -> None:
    rgba = np.zeros((1000, 1000, 4), np.uint8)  # transparent black everywhere ...
    rgba[200:800, 250:750] = (30, 90, 200, 255)  # ... but an opaque product
    assert check_bytes("cutout.png", _encode(rgba), PROFILE).score == 100.0
    rgba[:, :, 3] = np.maximum(rgba[:, :, 3], 20)  # a faint dark veil over the backdrop is not white
    assert "background.impure" in codes(check_bytes("veil.png", _encode(rgba), PROFILE))
