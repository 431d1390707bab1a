"""Synthetic product photos with exact ground-truth masks, seeded and reproducible.

Each photo is a product (a flat or shaded shape, possibly with a hole) on a backdrop that may be
off-white, grey, graded, noisy or carry a soft contact shadow: the situations the pipeline must
turn into pure white.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class SyntheticPhoto:
    name: str
    rgb: np.ndarray
    mask: np.ndarray  # bool, True on the product


def product_mask(shape: str, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    mask = np.zeros((height, width), np.uint8)
    cx, cy = (
        width // 2 + int(rng.integers(-width // 10, width // 10)),
        height // 2 + int(rng.integers(-height // 12, height // 12)),
    )
    rx, ry = int(width * rng.uniform(0.18, 0.3)), int(height * rng.uniform(0.18, 0.3))
    if shape == "ellipse":
        cv2.ellipse(mask, (cx, cy), (rx, ry), float(rng.uniform(0, 180)), 0, 360, 1, -1)
    elif shape == "box":
        cv2.rectangle(mask, (cx - rx, cy - ry), (cx + rx, cy + ry), 1, -1)
    elif shape == "mug":  # a body with a ring handle: the hole must stay open
        cv2.rectangle(mask, (cx - rx, cy - ry), (cx + rx // 3, cy + ry), 1, -1)
        cv2.ellipse(mask, (cx + rx // 3, cy), (rx // 2, ry // 2), 0, -90, 90, 1, max(6, rx // 8))
    elif shape == "bottle":
        cv2.rectangle(mask, (cx - rx // 2, cy - ry // 3), (cx + rx // 2, cy + ry), 1, -1)
        cv2.rectangle(mask, (cx - rx // 6, cy - ry), (cx + rx // 6, cy - ry // 3), 1, -1)
    else:
        raise ValueError(shape)
    return mask.astype(bool)


def make_photo(
    name: str,
    seed: int,
    shape: str = "ellipse",
    size: tuple[int, int] = (1200, 900),
    product_rgb: tuple[int, int, int] = (200, 40, 30),
    backdrop: int = 245,
    gradient: float = 0.0,
    shadow: float = 0.0,
    noise: float = 0.0,
) -> SyntheticPhoto:
    """A product photo: shaded product on a backdrop of grey level `backdrop` with the given defects."""
    rng = np.random.default_rng(seed)
    width, height = size
    mask = product_mask(shape, width, height, rng)
    rows = np.linspace(-0.5, 0.5, height, dtype=np.float32)[:, None]
    background = np.full((height, width), float(backdrop), np.float32) - gradient * rows
    if shadow:
        ys, xs = np.nonzero(mask)
        bottom, cx = ys.max(), xs.mean()
        half = (xs.max() - xs.min()) / 2
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        blob = np.exp(-(((xx - cx) / (half * 1.1)) ** 2 + ((yy - bottom) / (height * 0.04)) ** 2))
        background *= 1.0 - shadow * blob
    canvas = np.repeat(background[:, :, None], 3, axis=2)
    shade = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), max(2.0, width / 60)) * 0.25 + 0.75
    colour = np.array(product_rgb, np.float32)[None, None, :] * shade[:, :, None]
    canvas[mask] = colour[mask]
    if noise:
        canvas += rng.normal(0.0, noise, canvas.shape).astype(np.float32)
    return SyntheticPhoto(name, np.clip(np.rint(canvas), 0, 255).astype(np.uint8), mask)


def standard_set() -> list[SyntheticPhoto]:
    """The end-to-end set: shapes, colours and backdrops a product shoot produces."""
    return [
        make_photo("red-ellipse-offwhite", 1, "ellipse", product_rgb=(200, 40, 30), backdrop=248),
        make_photo("blue-box-grey", 2, "box", product_rgb=(30, 60, 170), backdrop=225, noise=2.0),
        make_photo("green-mug-gradient", 3, "mug", product_rgb=(40, 140, 60), backdrop=235, gradient=30.0),
        make_photo("dark-bottle-shadow", 4, "bottle", product_rgb=(50, 45, 40), backdrop=240, shadow=0.35),
        make_photo(
            "orange-ellipse-noise", 5, "ellipse", size=(1600, 1200), product_rgb=(230, 120, 20), backdrop=242, noise=4.0
        ),
        make_photo("purple-box-small", 6, "box", size=(900, 800), product_rgb=(110, 40, 130), backdrop=250),
    ]
