"""One frozen settings object shared by every stage, validated before any image is opened."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from aefix.errors import SetupError

# "5 MB" read the strict way: 5,000,000 bytes is under the limit whichever unit the platform means.
MEGABYTE = 1_000_000
OUTPUT_FORMATS = ("jpg", "png")


@dataclass(frozen=True)
class Profile:
    """A marketplace's main-image rules, as thresholds the compliance checks read.

    The defaults are AliExpress's published main-image rules (see README, "Compliance").
    """

    name: str = "aliexpress"
    allowed_formats: tuple[str, ...] = ("jpeg", "png")
    max_bytes: int = 5 * MEGABYTE
    min_side_px: int = 800
    recommended_side_px: int = 1000
    pass_score: float = 92.0
    # A background pixel counts as pure only at exactly 255,255,255: the platform's rule.
    background_impure_fail_pct: float = 2.0
    # Pixels this close to the product are JPEG ringing, not background tone (one 8x8 block).
    background_edge_band_px: int = 8


@dataclass(frozen=True)
class Settings:
    """Everything that shapes an output; written into the report so each output says how."""

    size_px: int = 1000
    margin_ratio: float = 0.075
    output_format: str = "jpg"
    max_bytes: int = 5 * MEGABYTE
    model: str = "u2netp"
    models_dir: Path = Path("models")
    masks_dir: Path | None = None
    limit: int = 500
    jpeg_quality: int = 95
    jpeg_min_quality: int = 50
    # Pillow's decompression-bomb guard, raised to fit 50-MP phone panoramas; larger is refused.
    max_pixels: int = 80_000_000
    # Smallest image side accepted as a product photo at all.
    min_input_side_px: int = 32
    # The model sees at most this many pixels on the long side; its input is 320-1024 px anyway.
    segment_max_side_px: int = 1024
    profile: Profile = Profile()

    def as_dict(self) -> dict[str, object]:
        """JSON-ready view, for the report and the manifest."""
        data = dataclasses.asdict(self)
        data["models_dir"] = str(self.models_dir)
        data["masks_dir"] = str(self.masks_dir) if self.masks_dir else None
        return data


def validate(settings: Settings) -> Settings:
    """Return `settings` unchanged, or raise SetupError naming the first bad field."""
    if settings.output_format not in OUTPUT_FORMATS:
        raise SetupError(f"--format must be one of {', '.join(OUTPUT_FORMATS)}, not {settings.output_format!r}")
    if not 64 <= settings.size_px <= 10_000:
        raise SetupError(f"--size must be between 64 and 10000 px, not {settings.size_px}")
    if not 0.0 <= settings.margin_ratio < 0.45:
        raise SetupError(f"--margin must be in [0, 0.45), not {settings.margin_ratio}")
    if settings.max_bytes < 10_000:
        raise SetupError(f"--max-bytes must be at least 10000, not {settings.max_bytes}")
    if settings.limit < 0:
        raise SetupError(f"--limit must be 0 or more, not {settings.limit}")
    if not 1 <= settings.jpeg_min_quality <= settings.jpeg_quality <= 100:
        raise SetupError("JPEG quality bounds must satisfy 1 <= min <= start <= 100")
    return settings
