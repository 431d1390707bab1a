"""One frozen settings object shared by every stage, validated before any image is opened."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from aefix.errors import SetupError

# "5 MB" read the strict way: 5,000,000 bytes is under the limit whichever unit the platform means.
MEGABYTE = 1_000_000
OUTPUT_FORMATS = ("jpg", "png")
SEGMENTERS = ("auto", "ai", "classic")
DEVICES = ("cpu", "cuda")
WORK_OVER_OUTPUT = 2
# A photo at most this much over the working size is worked on as it is: a 12 MP phone JPEG's
# half-size draft (2016 x 1512) took 86 ms on one core to resample to 2000 px (OpenCV's area
# resampling; make bench's inputs), for a change no 1000 px output shows.
WORK_SIDE_SLACK = 1.02


@dataclass(frozen=True)
class Profile:
    """A marketplace's main-image rules, as thresholds the compliance checks read.

    The shipped profiles live in `aefix/profiles/*.toml` (see README, "Compliance"); these
    defaults are AliExpress's. Sections of the TOML map to field-name prefixes:
    `[background] impure_fail_pct` is `background_impure_fail_pct`.
    """

    name: str = "aliexpress"
    description: str = "AliExpress main image"
    source: str = ""
    pass_score: float = 92.0
    # Finding categories ("text", "background", ...) that a secondary image may carry: reported, no deduction.
    secondary_allows: tuple[str, ...] = ("text", "background", "code", "border", "composition")
    format_allowed: tuple[str, ...] = ("jpeg", "png")
    format_max_bytes: int = 5 * MEGABYTE
    dimensions_min_side_px: int = 800
    dimensions_recommended_side_px: int = 1000
    dimensions_max_side_px: int = 10_000
    # Width / height the marketplace expects (1.0 square, 0.75 for 3:4 portrait); 0 means any.
    dimensions_aspect: float = 1.0
    # A background pixel counts as pure only at exactly 255,255,255: the platform's rule.
    background_white_required: bool = True
    background_impure_fail_pct: float = 2.0
    # Pixels this close to the product are JPEG ringing, not background tone (one 8x8 block).
    background_edge_band_px: int = 8
    # Mean grey of the backdrop, in levels below 255, from which it reads as grey (not stray pixels).
    background_gray_min_levels: float = 1.5
    # Rise of the fitted backdrop brightness across the frame, in levels, that makes a gradient.
    background_gradient_min_levels: float = 5.0
    # Pixel-to-pixel noise (standard deviation, levels) of the backdrop that makes texture.
    background_texture_min_levels: float = 0.5
    # A shadow: backdrop this many levels darker than its surroundings, touching the product...
    background_shadow_min_levels: float = 5.0
    # ...over at least this share of the image, in percent.
    background_shadow_min_pct: float = 0.1
    text_allowed: bool = False
    # OCR confidence (0-1) and glyph height (px per 1000 px of image side) from which text counts.
    text_min_confidence: float = 0.75
    text_min_height_px: float = 12.0
    code_allowed: bool = False
    border_allowed: bool = False
    border_min_px: int = 1
    # Product's longer side over the frame's matching side: below min or above max is poor composition.
    composition_min_fill: float = 0.5
    composition_max_fill: float = 0.99
    # Product centre off the frame centre by more than this share of the side.
    composition_max_offset: float = 0.1
    # Edge sharpness of the product (steepest edge slope over edge contrast) under which it reads as blurred.
    quality_min_sharpness: float = 0.2
    # Share of product pixels clipped to white or black above which exposure is flagged, in percent.
    quality_max_clipped_pct: float = 10.0
    # What `aefix run` writes under this profile when --size is not given.
    output_width_px: int = 1000
    output_height_px: int = 1000


@dataclass(frozen=True)
class Settings:
    """Everything that shapes an output; written into the report so each output says how."""

    size_px: int = 1000  # output width
    height_px: int | None = None  # output height; None: square (size_px)
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
    # Larger photos are worked on at this long side (JPEGs decoded at reduced size, others
    # resampled); 0 means twice the output's long side: a 1000 px output shows nothing finer, and
    # a 12 MP photo then costs a quarter of the memory and time.
    work_max_side_px: int = 0
    # Smallest image side accepted as a product photo at all.
    min_input_side_px: int = 32
    # The model sees at most this many pixels on the long side; its input is 320-1024 px anyway.
    segment_max_side_px: int = 1024
    # Which mask: "ai" (the network's, edges refined), "classic" (by colour on a studio sweep,
    # guided by the network's) or "auto" (classic when the backdrop is a light, smooth sweep).
    segmenter: str = "auto"
    # Where the model runs: "cpu", or "cuda" (needs onnxruntime-gpu and a GPU).
    device: str = "cpu"
    profile: Profile = Profile()

    @property
    def work_side_px(self) -> int:
        """Long side, in pixels, that photos are worked on at (at most)."""
        return self.work_max_side_px or WORK_OVER_OUTPUT * max(self.canvas_px)

    @property
    def canvas_px(self) -> tuple[int, int]:
        """Output (width, height)."""
        return self.size_px, self.height_px or self.size_px

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
    for side in settings.canvas_px:
        if not 64 <= side <= 10_000:
            raise SetupError(f"--size must be between 64 and 10000 px, not {side}")
    output_container = "jpeg" if settings.output_format == "jpg" else settings.output_format
    if output_container not in settings.profile.format_allowed:
        raise SetupError(
            f"--format {settings.output_format} is not allowed by profile {settings.profile.name} "
            f"({'/'.join(settings.profile.format_allowed)})"
        )
    if settings.device not in DEVICES:
        raise SetupError(f"--device must be one of {', '.join(DEVICES)}, not {settings.device!r}")
    if settings.segmenter not in SEGMENTERS:
        raise SetupError(f"--segmenter must be one of {', '.join(SEGMENTERS)}, not {settings.segmenter!r}")
    if not 0.0 <= settings.margin_ratio < 0.45:
        raise SetupError(f"--margin must be in [0, 0.45), not {settings.margin_ratio}")
    if settings.max_bytes < 10_000:
        raise SetupError(f"--max-bytes must be at least 10000, not {settings.max_bytes}")
    if settings.limit < 0:
        raise SetupError(f"--limit must be 0 or more, not {settings.limit}")
    if not 1 <= settings.jpeg_min_quality <= settings.jpeg_quality <= 100:
        raise SetupError("JPEG quality bounds must satisfy 1 <= min <= start <= 100")
    return settings
