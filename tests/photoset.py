"""Product photos with exact ground-truth alpha, for measuring the cutout (`make bench-quality`).

Seeded and reproducible. Each photo composites a product (shape, material, optical edge
softness) over a backdrop (sweep level, tint, gradient, texture, contact or cast shadow) with
the alpha it was composited with, then adds sensor noise and JPEG or PNG encoding:
photo = alpha * product + (1 - alpha) * backdrop. Glass is translucent, so its alpha is
fractional inside the product too.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

LONG_SIDES = (800, 1000, 1200, 1600, 2000, 2400, 3000, 4000)
ASPECTS = (1.0, 4 / 3, 3 / 4)
SHAPES = ("bottle", "box", "ball", "mug", "bag", "cable", "ring", "blob", "star")
MATERIALS = ("matte", "glossy", "metallic", "glass", "white", "light-grey")
BACKDROPS = ("white", "off-white", "light-grey", "vertical-gradient", "radial-gradient", "table", "fabric")
SHADOWS = ("none", "contact", "cast")
COLOURS = (
    (200, 40, 30), (30, 60, 170), (40, 140, 60), (50, 45, 40), (230, 120, 20),
    (110, 40, 130), (25, 25, 28), (0, 120, 140), (215, 190, 150), (160, 100, 70),
)  # fmt: skip
# `dark` photos: a plain backdrop this dark (grey levels, before its tint), as jewellery and
# electronics are shot on; what u2netp is left to alone, as the classic mask wants a light sweep.
DARK_LEVELS = (25.0, 110.0)
DARK_TINT = 12.0
DARK_STREAM = 1  # the dark backdrop's own random stream, so the rest of the photo stays the same
AA = cv2.LINE_AA
SHIFT = 4  # cv2 sub-pixel drawing: coordinates in 1/16 px
ONE = 1 << SHIFT


@dataclass(frozen=True)
class TruthPhoto:
    name: str
    data: bytes  # the encoded photo, as a file would hold it
    alpha: np.ndarray  # uint8 ground-truth coverage at the photo's size
    material: str
    backdrop: str
    shadow: str
    shape: str

    @property
    def white_on_white(self) -> bool:
        """A white or light-grey product on a plain white or light-grey sweep."""
        return self.material in ("white", "light-grey") and self.backdrop in ("white", "off-white", "light-grey")


def _pt(x: float, y: float) -> tuple[int, int]:
    return round(x * ONE), round(y * ONE)


def _draw_shape(shape: str, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """Coverage (uint8) of one product shape, anti-aliased, about half to three quarters of the frame."""
    mask = np.zeros((height, width), np.uint8)
    side = min(width, height)
    cx = width / 2 + rng.uniform(-0.05, 0.05) * width
    cy = height / 2 + rng.uniform(-0.04, 0.04) * height
    half_w = side * rng.uniform(0.18, 0.32)
    half_h = side * rng.uniform(0.25, 0.36)
    thin = max(3.0, side * rng.uniform(0.004, 0.008))

    def poly(points: list[tuple[float, float]]) -> None:
        cv2.fillPoly(mask, [np.array([_pt(x, y) for x, y in points], np.int32)], 255, AA, SHIFT)

    def rounded(x0: float, y0: float, x1: float, y1: float, radius: float) -> None:
        corners = ((x1 - radius, y0 + radius, -90), (x1 - radius, y1 - radius, 0), (x0 + radius, y1 - radius, 90))
        points: list[tuple[float, float]] = []
        for ox, oy, start in ((x0 + radius, y0 + radius, 180), *corners):
            for angle in np.linspace(np.radians(start), np.radians(start + 90), 12):
                points.append((ox + radius * np.cos(angle), oy + radius * np.sin(angle)))
        poly(points)

    def ring(x: float, y: float, rx: float, ry: float, thickness: float, start: int = 0, end: int = 360) -> None:
        cv2.ellipse(mask, _pt(x, y), _pt(rx, ry), 0, start, end, 255, max(1, round(thickness)), AA, SHIFT)

    if shape == "bottle":
        rounded(cx - half_w * 0.6, cy - half_h * 0.3, cx + half_w * 0.6, cy + half_h, half_w * 0.25)
        rounded(cx - half_w * 0.2, cy - half_h, cx + half_w * 0.2, cy - half_h * 0.2, half_w * 0.05)
    elif shape == "box":
        rounded(cx - half_w, cy - half_h * 0.8, cx + half_w, cy + half_h * 0.8, half_w * rng.uniform(0.02, 0.2))
    elif shape == "ball":
        cv2.ellipse(mask, _pt(cx, cy), _pt(half_w, half_w), 0, 0, 360, 255, -1, AA, SHIFT)
    elif shape == "mug":  # the handle leaves a hole that must stay background
        rounded(cx - half_w, cy - half_h * 0.7, cx + half_w * 0.4, cy + half_h * 0.7, half_w * 0.08)
        ring(cx + half_w * 0.4, cy, half_w * 0.45, half_h * 0.35, max(thin * 2, half_w * 0.12), -90, 90)
    elif shape == "bag":  # a body with a thin strap arching over it
        rounded(cx - half_w, cy - half_h * 0.2, cx + half_w, cy + half_h, half_w * 0.1)
        ring(cx, cy - half_h * 0.2, half_w * 0.6, half_h * 0.75, thin * 1.5, 180, 360)
    elif shape == "cable":  # a charger with a thin cable looping away
        rounded(cx - half_w * 0.35, cy - half_h * 0.9, cx + half_w * 0.35, cy - half_h * 0.1, half_w * 0.1)
        t = np.linspace(0.0, 1.0, 200)
        xs = cx + half_w * 0.9 * np.sin(t * np.pi * rng.uniform(1.5, 2.5))
        ys = cy - half_h * 0.1 + half_h * 1.0 * t
        curve = np.array([_pt(x, y) for x, y in zip(xs, ys, strict=True)], np.int32)
        cv2.polylines(mask, [curve], False, 255, max(1, round(thin)), AA, SHIFT)
    elif shape == "ring":
        ring(cx, cy, half_w * 0.8, half_w * 0.8, half_w * 0.35)
    elif shape == "blob":  # an organic outline (a shoe, a plush toy)
        angles = np.linspace(0, 2 * np.pi, 90, endpoint=False)
        radius = 1.0 + sum(rng.uniform(0.03, 0.12) * np.cos(k * angles + rng.uniform(0, 6.28)) for k in (2, 3, 5))
        poly(
            [
                (cx + half_w * r * np.cos(a), cy + half_h * 0.8 * r * np.sin(a))
                for a, r in zip(angles, radius, strict=True)
            ]
        )
    elif shape == "star":  # sharp corners
        angles = np.linspace(-np.pi / 2, 1.5 * np.pi, 11)[:-1]
        radii = np.where(np.arange(10) % 2 == 0, 1.0, rng.uniform(0.45, 0.6))
        poly(
            [
                (cx + half_w * 1.2 * r * np.cos(a), cy + half_w * 1.2 * r * np.sin(a))
                for a, r in zip(angles, radii, strict=True)
            ]
        )
    else:
        raise ValueError(shape)
    return mask


def _material(material: str, coverage: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Straight product colour (float32 RGB) and its alpha (coverage, fractional inside for glass)."""
    height, width = coverage.shape
    alpha = coverage.astype(np.float32) / 255.0
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    yy /= max(height, width)
    xx /= max(height, width)
    light = 0.82 + 0.22 * (1.0 - xx) * rng.uniform(0.6, 1.0)
    if material == "white":
        base = np.full(3, rng.uniform(238, 250), np.float32) + rng.uniform(-3, 3, 3).astype(np.float32)
        light = 0.9 + 0.1 * (1.0 - xx)
    elif material == "light-grey":
        base = np.full(3, rng.uniform(200, 228), np.float32) + rng.uniform(-3, 3, 3).astype(np.float32)
    elif material == "metallic":
        base = np.full(3, rng.uniform(120, 170), np.float32) * np.array([1.0, 1.0, rng.uniform(1.0, 1.08)], np.float32)
        light = 0.55 + 0.6 * (0.5 + 0.5 * np.sin(xx * rng.uniform(20, 40) + rng.uniform(0, 6)))
    else:
        base = np.array(COLOURS[int(rng.integers(len(COLOURS)))], np.float32)
    rgb = np.clip(base[None, None, :] * light[:, :, None], 0, 255)
    if material in ("glossy", "metallic", "glass"):
        ys, xs = np.nonzero(coverage > 250)
        for _ in range(int(rng.integers(1, 3))):
            pick = int(rng.integers(len(ys)))
            hx, hy = xs[pick] / max(height, width), ys[pick] / max(height, width)
            spread = rng.uniform(0.01, 0.04)
            spot = np.exp(-(((xx - hx) / spread) ** 2 + ((yy - hy) / (spread * 2.5)) ** 2)) * rng.uniform(0.7, 1.0)
            rgb = rgb + (255.0 - rgb) * spot[:, :, None]
    if material == "glass":  # clear body, a denser rim: the backdrop shows through the middle
        inner = cv2.erode(coverage, np.ones((3, 3), np.uint8), iterations=max(2, round(min(height, width) * 0.012)))
        clear = cv2.GaussianBlur(inner.astype(np.float32) / 255.0, (0, 0), 2.0)
        alpha = alpha * (1.0 - clear * (1.0 - rng.uniform(0.55, 0.8)))
        rgb = rgb * 0.3 + np.array([150, 200, 190], np.float32) * 0.7
    return rgb.astype(np.float32), alpha


def _backdrop(kind: str, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    side = max(width, height)
    level = {"white": 255.0, "off-white": rng.uniform(240, 252), "light-grey": rng.uniform(205, 232)}.get(
        kind, rng.uniform(225, 250)
    )
    tint = rng.uniform(-3, 3, 3).astype(np.float32) if kind != "white" else np.zeros(3, np.float32)
    tone = np.full((height, width), level, np.float32)
    if kind == "vertical-gradient":
        tone -= rng.uniform(12, 35) * (yy / height) ** rng.uniform(0.8, 1.5)
    elif kind == "radial-gradient":
        distance = np.hypot(xx - width / 2, yy - height / 2) / (side / 2)
        tone -= rng.uniform(12, 35) * distance**2
    elif kind == "table":  # light wood: grain running across, low contrast
        tone = np.full((height, width), rng.uniform(205, 230), np.float32)
        tint = np.array([6, 0, -10], np.float32)
        grain = np.sin(yy / side * rng.uniform(60, 120) + 3 * np.sin(xx / side * rng.uniform(3, 8)))
        fine = cv2.GaussianBlur(rng.normal(0, 1, (height, width)).astype(np.float32), (0, 0), 1.5)
        tone += rng.uniform(4, 9) * grain + 4 * fine
    elif kind == "fabric":  # a woven cloth: fine periodic texture
        period = rng.uniform(4, 8) * side / 1000
        tone = np.full((height, width), rng.uniform(215, 240), np.float32)
        tone += rng.uniform(3, 7) * np.sin(xx * 2 * np.pi / period) * np.sin(yy * 2 * np.pi / period)
    return tone[:, :, None] + tint[None, None, :]


def _shadow(kind: str, coverage: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A factor (1 = no shadow) that darkens the backdrop."""
    height, width = coverage.shape
    side = max(width, height)
    if kind == "none":
        return np.ones((height, width), np.float32)
    ys, xs = np.nonzero(coverage > 128)
    if kind == "contact":
        blob = np.zeros((height, width), np.float32)
        centre = (int(xs.mean()), int(ys.max()))
        axes = (int((xs.max() - xs.min()) * 0.55), max(2, int(side * 0.025)))
        cv2.ellipse(blob, centre, axes, 0, 0, 360, 1.0, -1)
        blob = cv2.GaussianBlur(blob, (0, 0), side * 0.012)
        return 1.0 - rng.uniform(0.2, 0.45) * blob
    # A cast shadow: the silhouette thrown sideways on the floor, a hard but not razor edge.
    dx, dy = rng.uniform(0.04, 0.1) * side * rng.choice([-1, 1]), rng.uniform(0.01, 0.04) * side
    shear = np.float32([[1, rng.uniform(-0.4, 0.4), dx], [0, 1, dy]])
    cast = cv2.warpAffine(coverage.astype(np.float32) / 255.0, shear, (width, height))
    cast = cv2.GaussianBlur(cast, (0, 0), max(1.0, side * 0.002))
    return 1.0 - rng.uniform(0.2, 0.4) * cast


def _dark(back: np.ndarray, rng: np.random.Generator, levels: tuple[float, float] = DARK_LEVELS) -> np.ndarray:
    """A backdrop made a plain dark or coloured one: its gradient and texture at half strength,
    around a level drawn from `levels`, tinted by up to DARK_TINT per channel."""
    level = rng.uniform(*levels)
    tint = rng.uniform(-DARK_TINT, DARK_TINT, 3).astype(np.float32)
    return (back - float(back.mean())) * 0.5 + level + tint[None, None, :]


def make_truth_photo(
    index: int,
    seed: int,
    size: tuple[int, int] | None = None,
    encoding: str | None = None,
    dark: bool = False,
    levels: tuple[float, float] = DARK_LEVELS,
) -> TruthPhoto:
    """Photo `index` of the seeded set. `size` overrides its (width, height); `encoding` its file
    type: "jpeg" (quality 90, as phones save), "png", or "cutout" (a PNG of the product on a fully
    transparent background). `dark`: the same photo (product, shadow, noise) on a plain dark or
    coloured backdrop (`_dark`, drawn from a stream of its own), its level drawn from `levels`
    (mid grey, as (110, 150), is plain but no light sweep either)."""
    rng = np.random.default_rng([seed, index])
    long_side = LONG_SIDES[index % len(LONG_SIDES)]
    aspect = ASPECTS[(index // len(LONG_SIDES)) % len(ASPECTS)]
    width, height = (long_side, round(long_side / aspect)) if aspect >= 1 else (round(long_side * aspect), long_side)
    if size is not None:
        width, height = size
    elif min(width, height) < 800:  # the platform's minimum: nothing smaller is a product photo
        width, height = round(width * 800 / min(width, height)), round(height * 800 / min(width, height))
    shape = SHAPES[index % len(SHAPES)]
    material = MATERIALS[(index // 2) % len(MATERIALS)]
    backdrop = BACKDROPS[index % len(BACKDROPS)]
    shadow = SHADOWS[(index // 3) % len(SHADOWS)]
    if material in ("white", "light-grey") and index % 4 == 0:
        backdrop = ("white", "off-white", "light-grey")[index % 3]  # more white-on-white cases
    coverage = _draw_shape(shape, width, height, rng)
    # A lens is never perfectly sharp: the true edge spans one to two pixels.
    coverage = cv2.GaussianBlur(coverage, (0, 0), rng.uniform(0.5, 1.0) * max(1.0, long_side / 2000))
    colour, alpha = _material(material, coverage, rng)
    plain = _backdrop(backdrop, width, height, rng)
    if dark:
        plain = _dark(plain, np.random.default_rng([seed, index, DARK_STREAM]), levels)
        backdrop = f"dark-{backdrop}"
    back = plain * _shadow(shadow, coverage, rng)[:, :, None]
    photo = colour * alpha[:, :, None] + back * (1.0 - alpha[:, :, None])
    photo += rng.normal(0.0, rng.uniform(0.5, 3.5), photo.shape).astype(np.float32)
    pixels = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    truth = np.clip(np.rint(alpha * 255), 0, 255).astype(np.uint8)
    if encoding == "cutout":
        straight = np.clip(np.rint(colour), 0, 255).astype(np.uint8)
        Image.fromarray(np.dstack([straight, truth])).save(buffer, "PNG", compress_level=6)
        name = f"{index:03d}-{shape}-{material}-cutout-{width}x{height}.png"
        return TruthPhoto(name, buffer.getvalue(), truth, material, "transparent", "none", shape)
    jpeg = rng.random() < 0.75 if encoding is None else encoding == "jpeg"
    quality = int(rng.integers(75, 96)) if encoding is None else 90
    if jpeg:
        Image.fromarray(pixels).save(buffer, "JPEG", quality=quality)
        suffix = "jpg"
    else:
        Image.fromarray(pixels).save(buffer, "PNG", compress_level=1)
        suffix = "png"
    name = f"{index:03d}-{shape}-{material}-{backdrop}-{shadow}-{width}x{height}.{suffix}"
    return TruthPhoto(name, buffer.getvalue(), truth, material, backdrop, shadow, shape)


def truth_set(
    count: int = 64, seed: int = 2026, dark: bool = False, levels: tuple[float, float] = DARK_LEVELS
) -> Iterator[TruthPhoto]:
    """`count` photos, generated one at a time (a 4000 px photo's float planes are large)."""
    for index in range(count):
        yield make_truth_photo(index, seed, dark=dark, levels=levels)


# Products that stand on a floor (a cable or ring lies flat, and shows no mirror image below it).
STANDING_SHAPES = ("bottle", "box", "ball", "mug", "bag", "blob", "star")
REFLECTING_MATERIALS = ("matte", "glossy", "metallic", "light-grey")
REFLECTING_FLOORS = ("white", "off-white", "light-grey", "vertical-gradient")


def on_glossy_floor(
    colour: np.ndarray, alpha: np.ndarray, ground: np.ndarray | float, strength: float, fade: float
) -> tuple[np.ndarray, np.ndarray]:
    """`colour` (straight, H x W x 3 float32) at `alpha` standing on a glossy floor of `ground` (its
    colour, H x W x 3, or a grey level): mirrored about the floor line under its lowest row, at
    `strength` there, fading by e every `fade` of its height, blurred 1.5 px by the floor. The photo
    (float32, before noise) and the reflection's opacity."""
    height = alpha.shape[0]
    rows = np.flatnonzero((alpha >= 0.5).any(axis=1))
    floor, tall = int(rows[-1]) + 1, int(rows[-1] - rows[0]) + 1
    depth = np.arange(1, height - floor + 1)
    mirrored = np.clip(floor - depth, 0, height - 1)
    opacity = np.zeros_like(alpha)
    opacity[floor:] = alpha[mirrored] * (strength * np.exp(-depth / (fade * tall)))[:, None]
    opacity = cv2.GaussianBlur(opacity, (0, 0), 1.5) * (1.0 - alpha)
    reflected = np.zeros_like(colour)
    reflected[floor:] = colour[mirrored]
    floor_colour = ground * (1.0 - opacity[:, :, None]) + reflected * opacity[:, :, None]
    return colour * alpha[:, :, None] + floor_colour * (1.0 - alpha[:, :, None]), opacity


def make_reflection_photo(index: int, seed: int) -> TruthPhoto:
    """Photo `index` of a set of products standing on a glossy floor (acrylic, glass): the product
    mirrored about the floor line under its lowest row, at 10-50% there, fading by e every 10-40%
    of the product's height, blurred 1.5 px by the floor. Its truth is the product alone."""
    rng = np.random.default_rng([seed, index, 1])
    long_side = LONG_SIDES[1 + index % 5]  # 1000-2400 px
    width, height = (long_side, round(long_side * 3 / 4)) if index % 3 == 0 else (long_side, long_side)
    shape = STANDING_SHAPES[index % len(STANDING_SHAPES)]
    material = REFLECTING_MATERIALS[(index // 2) % len(REFLECTING_MATERIALS)]
    backdrop = REFLECTING_FLOORS[(index // 3) % len(REFLECTING_FLOORS)]
    coverage = cv2.GaussianBlur(_draw_shape(shape, width, height, rng), (0, 0), rng.uniform(0.5, 1.0))
    colour, alpha = _material(material, coverage, rng)
    fade = rng.uniform(0.1, 0.4)
    strength = rng.uniform(0.1, 0.5)
    photo, _ = on_glossy_floor(colour, alpha, _backdrop(backdrop, width, height, rng), strength, fade)
    photo += rng.normal(0.0, rng.uniform(0.5, 3.0), photo.shape).astype(np.float32)
    pixels = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=int(rng.integers(80, 96)))
    truth = np.clip(np.rint(alpha * 255), 0, 255).astype(np.uint8)
    name = f"{index:03d}-{shape}-{material}-{backdrop}-reflection-{width}x{height}.jpg"
    return TruthPhoto(name, buffer.getvalue(), truth, material, backdrop, "reflection", shape)


def reflection_set(count: int = 28, seed: int = 2026) -> Iterator[TruthPhoto]:
    """`count` photos of products on a glossy floor, generated one at a time."""
    for index in range(count):
        yield make_reflection_photo(index, seed)
