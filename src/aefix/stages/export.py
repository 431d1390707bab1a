"""Export: encode the final image as sRGB JPEG (4:4:4) or PNG, with no metadata, under a byte cap."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from aefix.settings import Settings

QUALITY_STEP = 5


@dataclass(frozen=True)
class Encoded:
    data: bytes
    format: str  # "jpg" or "png"
    quality: int | None  # JPEG quality used; None for PNG
    fits: bool  # len(data) <= settings.max_bytes


def encode_image(rgb: np.ndarray, settings: Settings) -> Encoded:
    """Encoded bytes: JPEG from the starting quality down in steps until it fits `max_bytes`.

    No EXIF, GPS or other metadata is written; pixels are sRGB and untagged, as the web reads them.
    """
    image = Image.fromarray(rgb, mode="RGB")
    if settings.output_format == "png":
        data = _save(image, format="PNG", compress_level=6)
        return Encoded(data, "png", None, len(data) <= settings.max_bytes)
    quality = settings.jpeg_quality
    while True:
        # 4:4:4 keeps colour edges crisp and keeps pure white exact next to coloured pixels.
        data = _save_jpeg(image, quality)
        if len(data) <= settings.max_bytes or quality <= settings.jpeg_min_quality:
            return Encoded(data, "jpg", quality, len(data) <= settings.max_bytes)
        quality = max(settings.jpeg_min_quality, quality - QUALITY_STEP)


def _save_jpeg(image: Image.Image, quality: int) -> bytes:
    try:
        return _save(image, format="JPEG", quality=quality, subsampling=0, optimize=True)
    except OSError:
        # Pillow sizes the optimize buffer at ~1-2 bytes/pixel; very noisy 4:4:4 images overflow it.
        return _save(image, format="JPEG", quality=quality, subsampling=0)


def _save(image: Image.Image, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, **options)
    return buffer.getvalue()
