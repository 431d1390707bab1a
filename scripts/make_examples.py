"""Regenerate examples/ from the photos that ship with scikit-image (run: make examples).

Real photos: skimage's coffee (cup on a wooden table), motorcycle_left (product in a cluttered
garage) and logo (RGBA with transparency). Derived files: a 12-megapixel upscale of the coffee
photo, an EXIF-rotated copy of the motorcycle, and a studio-style composite of the logo cut-out on
a light-grey sweep with a soft contact shadow (seeded, so the bytes are reproducible).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

OUT = Path(__file__).resolve().parents[1] / "examples"


def soft_shadow_composite(rng: np.random.Generator) -> Image.Image:
    width, height = 1600, 1200
    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    sweep = np.repeat(236.0 - 10.0 * rows, width, axis=1)  # light grey, darker towards the bottom
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    shadow = np.exp(-(((xx - 800) / 330.0) ** 2 + ((yy - 1010) / 45.0) ** 2))  # contact shadow under the product
    background = sweep * (1.0 - 0.35 * shadow)
    canvas = np.repeat(background[:, :, None], 3, axis=2) * np.array([1.0, 1.0, 0.985], dtype=np.float32)
    logo = Image.fromarray(data.logo()).resize((700, 700), Image.Resampling.LANCZOS)
    rgba = np.asarray(logo).astype(np.float32)
    alpha = rgba[:, :, 3:] / 255.0
    top, left = 1020 - 700, 800 - 350
    region = canvas[top : top + 700, left : left + 700]
    canvas[top : top + 700, left : left + 700] = rgba[:, :, :3] * alpha + region * (1.0 - alpha)
    canvas += rng.normal(0.0, 1.5, canvas.shape)  # sensor noise
    return Image.fromarray(np.clip(np.rint(canvas), 0, 255).astype(np.uint8))


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(20261126)
    coffee = Image.fromarray(data.coffee())
    coffee.save(OUT / "coffee-on-table.jpg", quality=92)
    coffee.resize((4243, 2828), Image.Resampling.LANCZOS).save(OUT / "coffee-12mp.jpg", quality=80)
    motorcycle = Image.fromarray(data.stereo_motorcycle()[0])
    motorcycle.save(OUT / "motorcycle-garage.jpg", quality=90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view": stored sideways, shown upright
    motorcycle.transpose(Image.Transpose.ROTATE_90).save(OUT / "motorcycle-exif-rotated.jpg", quality=90, exif=exif)
    Image.fromarray(data.logo()).save(OUT / "logo-transparent.png")
    soft_shadow_composite(rng).save(OUT / "studio-soft-shadow.jpg", quality=90)


if __name__ == "__main__":
    main()
