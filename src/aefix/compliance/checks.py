"""The compliance checks: each a small function returning findings with a deduction and a message.

Each check also records its measurements in `metrics`, so reports carry numbers even when an
image passes.
"""

from __future__ import annotations

import cv2
import numpy as np

from aefix.compliance.findings import CheckInput, Finding
from aefix.settings import Profile

_EXTENSIONS = {"jpeg": (".jpg", ".jpeg"), "png": (".png",)}
# Pixels at least this light and this grey may belong to the backdrop (they are tested for purity).
BACKGROUND_MIN_CHANNEL = 200
BACKGROUND_MAX_SPREAD = 30
# Under this share of the frame, there is no light backdrop to speak of.
BACKGROUND_MIN_SHARE = 0.05
# Impurity below this share is a stray pixel, not a background defect.
BACKGROUND_IMPURE_TOLERANCE_PCT = 0.05


def check_format(item: CheckInput, profile: Profile, metrics: dict[str, float]) -> list[Finding]:
    """The container format by magic bytes must be allowed, and must match the file's extension."""
    allowed = "/".join(profile.allowed_formats)
    if item.format not in profile.allowed_formats:
        return [
            Finding(
                "format.not_allowed",
                "fail",
                100.0,
                item.format or "unknown",
                allowed,
                f"format: file is {item.format or 'not a known image format'} by its bytes; {allowed} required (-100)",
            )
        ]
    suffix = "." + item.name.rsplit(".", 1)[-1].lower() if "." in item.name else ""
    if suffix and suffix not in _EXTENSIONS.get(item.format, ()):
        return [
            Finding(
                "format.extension_mismatch",
                "fail",
                10.0,
                item.format,
                suffix,
                f"format: file is {item.format} but named {suffix} (-10)",
            )
        ]
    if item.rgb is None:
        return [
            Finding(
                "format.undecodable",
                "fail",
                100.0,
                item.decode_error or "",
                "decodable",
                f"format: {item.format} does not decode: {item.decode_error} (-100)",
            )
        ]
    return []


def check_file_size(item: CheckInput, profile: Profile, metrics: dict[str, float]) -> list[Finding]:
    """The file must not exceed the profile's byte limit."""
    size = len(item.data)
    metrics["bytes"] = size
    if size <= profile.max_bytes:
        return []
    return [
        Finding(
            "size.too_large",
            "fail",
            100.0,
            size,
            profile.max_bytes,
            f"file size: {size / 1e6:.2f} MB, over the {profile.max_bytes / 1e6:.2f} MB limit (-100)",
        )
    ]


def check_dimensions(item: CheckInput, profile: Profile, metrics: dict[str, float]) -> list[Finding]:
    """At least min_side on both sides (fail), the recommended side (-3), and square (-2)."""
    if item.rgb is None:
        return []
    height, width = item.rgb.shape[:2]
    metrics["width"], metrics["height"] = width, height
    shortest = min(width, height)
    if shortest < profile.min_side_px:
        return [
            Finding(
                "dimensions.too_small",
                "fail",
                100.0,
                shortest,
                profile.min_side_px,
                f"dimensions: {width}x{height} px, under the {profile.min_side_px} px minimum side (-100)",
            )
        ]
    findings = []
    if shortest < profile.recommended_side_px:
        findings.append(
            Finding(
                "dimensions.below_recommended",
                "warn",
                3.0,
                shortest,
                profile.recommended_side_px,
                f"dimensions: {width}x{height} px, under the recommended {profile.recommended_side_px} px (-3)",
            )
        )
    if abs(width - height) > 0.01 * max(width, height):
        findings.append(
            Finding(
                "dimensions.not_square",
                "warn",
                2.0,
                round(width / height, 3),
                1.0,
                f"dimensions: aspect {width}:{height} is not square (-2)",
            )
        )
    return findings


def background_region(rgb: np.ndarray) -> np.ndarray:
    """Light, unsaturated pixels connected to the frame: the backdrop, wherever the product is not."""
    low = rgb.min(axis=2)
    spread = rgb.max(axis=2) - low
    light = ((low >= BACKGROUND_MIN_CHANNEL) & (spread <= BACKGROUND_MAX_SPREAD)).astype(np.uint8)
    count, labels = cv2.connectedComponents(light, connectivity=4)
    if count <= 1:
        return np.zeros(light.shape, dtype=bool)
    frame = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    on_frame = np.unique(frame[frame > 0])
    return np.isin(labels, on_frame)


def check_background_purity(item: CheckInput, profile: Profile, metrics: dict[str, float]) -> list[Finding]:
    """Share of backdrop pixels that are exactly 255,255,255, and their mean grey tone.

    The band within one JPEG block of the product is measured apart (`edge_band_impure_pct`):
    ringing there is compression, not background tone.
    """
    if item.rgb is None:
        return []
    rgb = item.rgb
    background = background_region(rgb)
    share = float(background.mean())
    metrics["background_share"] = round(share, 4)
    if share < BACKGROUND_MIN_SHARE:
        return [
            Finding(
                "background.not_white",
                "fail",
                40.0,
                round(share * 100, 1),
                BACKGROUND_MIN_SHARE * 100,
                f"background: only {share:.1%} of the image is a light backdrop; pure white required (-40)",
            )
        ]
    band_px = profile.background_edge_band_px
    kernel = np.ones((2 * band_px + 1, 2 * band_px + 1), np.uint8)
    near_product = cv2.dilate((~background).astype(np.uint8), kernel).astype(bool)
    core = background & ~near_product
    band = background & near_product
    not_white = (rgb != 255).any(axis=2)
    core_count = max(1, int(core.sum()))
    impure_pct = 100.0 * float((core & not_white).sum()) / core_count
    gray_tone_pct = 100.0 * float((255.0 - rgb[core].mean(axis=1)).mean()) / 255.0 if core.any() else 0.0
    band_pct = 100.0 * float((band & not_white).sum()) / max(1, int(band.sum()))
    metrics["background_impure_pct"] = round(impure_pct, 3)
    metrics["background_gray_tone_pct"] = round(gray_tone_pct, 3)
    metrics["edge_band_impure_pct"] = round(band_pct, 3)
    if impure_pct <= BACKGROUND_IMPURE_TOLERANCE_PCT:
        return []
    deduction = round(min(40.0, max(1.0, 2.0 * impure_pct)), 1)
    severity = "fail" if impure_pct > profile.background_impure_fail_pct else "warn"
    return [
        Finding(
            "background.impure",
            severity,
            deduction,
            round(impure_pct, 2),
            BACKGROUND_IMPURE_TOLERANCE_PCT,
            f"background: {impure_pct:.1f}% of background pixels not pure white, "
            f"mean gray tone {gray_tone_pct:.1f}% (-{deduction:g})",
        )
    ]
