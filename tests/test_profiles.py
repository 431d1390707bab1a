"""Profiles as data: shipped TOML, user overrides, and what each profile changes in check and run."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aefix.compliance import check_bytes
from aefix.errors import SetupError
from aefix.pipeline import plan_batch, run_batch
from aefix.profiles import PROFILE_NAMES, load_profile
from aefix.segment import BackgroundDistanceSegmenter
from aefix.settings import Settings
from conftest import save_rgb
from synth import make_photo


def _png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


def _product(size: int = 1000, background: int = 255, fill: float = 0.7) -> np.ndarray:
    rgb = np.full((size, size, 3), background, np.uint8)
    lo, hi = int(size * (1 - fill) / 2), int(size * (1 + fill) / 2)
    rgb[lo:hi, lo:hi] = (30, 60, 170)
    return rgb


def codes(result) -> list[str]:
    return [finding.code for finding in result.findings]


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_every_shipped_profile_loads_and_states_its_source(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name and profile.source and profile.pass_score == 92.0
    assert {"jpeg", "png"} <= set(profile.format_allowed)
    assert not profile.text_allowed and not profile.code_allowed and not profile.border_allowed


def test_aliexpress_holds_the_mission_rules() -> None:
    profile = load_profile("aliexpress")
    assert (profile.format_max_bytes, profile.dimensions_min_side_px, profile.dimensions_recommended_side_px) == (
        5_000_000,
        800,
        1000,
    )
    assert profile.background_white_required and profile.dimensions_aspect == 1.0


def test_a_user_toml_overrides_thresholds_of_the_profile_it_extends(tmp_path: Path) -> None:
    path = tmp_path / "my-shop.toml"
    path.write_text('extends = "amazon"\npass_score = 97\n[format]\nmax_bytes = 3_000_000\n')
    profile = load_profile(str(path))
    assert profile.name == "my-shop" and profile.pass_score == 97.0 and profile.format_max_bytes == 3_000_000
    assert profile.composition_min_fill == 0.85  # the rest is amazon's
    data = _png(_product(fill=0.9))
    assert check_bytes("a.png", data, load_profile("amazon")).score == 97.0  # below recommended 1600: -3
    assert check_bytes("a.png", data, profile).passed  # the mark is inclusive
    path.write_text('extends = "amazon"\npass_score = 98\n')
    assert not check_bytes("a.png", data, load_profile(str(path))).passed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[format]\nmax_byte = 3\n", "unknown key 'format_max_byte'"),
        ('pass_score = "high"\n', "pass_score must be a number"),
        ("[dimensions]\nmin_side_px = 800.5\n", "must be a whole number"),
        ('extends = "ebay"\n', "extends = 'ebay'"),
        ("pass_score = 120\n", "pass_score must be within 0-100"),
        ("pass_score = \n", "cannot read profile"),
    ],
)
def test_bad_profiles_are_setup_errors_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SetupError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_profile(str(path))


def test_temu_reports_a_grey_background_without_deducting_it() -> None:
    data = _png(_product(background=245, fill=0.8))
    assert not check_bytes("a.png", data, load_profile("aliexpress")).passed
    result = check_bytes("a.png", data, load_profile("temu"))
    grey = [finding for finding in result.findings if finding.code.startswith("background.")]
    assert grey and all(finding.severity == "info" and finding.deduction == 0.0 for finding in grey)
    assert result.passed and result.score == 97.0  # only "under the recommended 1600 px"


def test_amazon_wants_the_product_to_fill_85_percent() -> None:
    data = _png(_product(fill=0.7))
    assert "composition.small" not in codes(check_bytes("a.png", data, load_profile("aliexpress")))
    assert "composition.small" in codes(check_bytes("a.png", data, load_profile("amazon")))


def test_run_with_the_shein_profile_exports_its_3_by_4_frame_under_its_byte_limit(tmp_path: Path) -> None:
    profile = load_profile("shein")
    settings = Settings(
        size_px=profile.output_width_px,
        height_px=profile.output_height_px,
        max_bytes=profile.format_max_bytes,
        profile=profile,
    )
    save_rgb(tmp_path / "raw" / "a.png", make_photo("a", 1).rgb)
    (result,) = run_batch(
        plan_batch(tmp_path / "raw", tmp_path / "out", settings), settings, BackgroundDistanceSegmenter
    )
    assert result.status == "ok", result.findings
    output = Path(result.output or "")
    assert Image.open(output).size == (1340, 1785) and output.stat().st_size <= 2_000_000
    assert result.score == 100.0
