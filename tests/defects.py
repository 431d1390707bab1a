"""A labelled compliance test set: clean main images and copies with exactly one defect each.

Seeded and reproducible. Clean images are products (shaded shapes with highlights, holes, thin
parts, brand text printed on them) anti-aliased onto exact 255 white. Each defect kind knows the
finding code that must flag it. Used by tests/test_defects.py and `make bench-check`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

SIZE = 1000
SUPERSAMPLE = 3
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
PROMO_EN = ("FREE SHIPPING", "50% OFF", "HOT SALE", "NEW ARRIVAL", "BEST SELLER", "LIMITED OFFER", "BUY 1 GET 1")
PROMO_ZH = ("包邮", "限时折扣", "新品上市", "热卖爆款", "买一送一", "正品保证", "全场五折")
WATERMARKS = ("MyShop", "SAMPLE", "© BestDeals", "店铺专用", "WATERMARK", "Shop8888")
BADGES = ("HOT", "NEW", "SALE", "TOP", "-50%", "热卖", "新品", "爆款")
BRANDS = ("ACME", "NOVA", "Lumo", "KORA", "ZEN", "Vita")
PRODUCT_COLOURS = (
    (200, 40, 30), (30, 60, 170), (40, 140, 60), (50, 45, 40), (230, 120, 20),
    (110, 40, 130), (20, 20, 20), (170, 170, 175), (215, 200, 170), (0, 120, 140),
)  # fmt: skip


def cjk_font_path() -> str:
    for path in CJK_FONTS:
        if Path(path).is_file():
            return path
    raise RuntimeError("no CJK font found: install fonts-wqy-microhei (make test does)")


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(cjk_font_path(), size)


@dataclass(frozen=True)
class Product:
    """Straight colour and coverage (0-1) of a product on a SIZE x SIZE canvas."""

    rgb: np.ndarray  # float32
    alpha: np.ndarray  # float32

    def over(self, backdrop: np.ndarray | float) -> np.ndarray:
        """The product composited over a backdrop (a level, an H x W map or an H x W x 3 image)."""
        back = np.asarray(backdrop, np.float32)
        if back.ndim == 2:
            back = back[:, :, None]
        coverage = self.alpha[:, :, None]
        return np.clip(np.rint(self.rgb * coverage + back * (1.0 - coverage)), 0, 255).astype(np.uint8)


def make_product(rng: np.random.Generator, size: int = SIZE) -> Product:
    """A shaded product with a highlight, sometimes a hole or a strap, sometimes a printed brand."""
    big = size * SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    fill = rng.uniform(0.55, 0.85)
    half_w = big * fill / 2 * rng.uniform(0.6, 1.0)
    half_h = big * fill / 2
    if rng.random() < 0.5:
        half_w, half_h = half_h, half_w
    cx, cy = big / 2 + rng.uniform(-0.03, 0.03) * big, big / 2 + rng.uniform(-0.03, 0.03) * big
    box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    shape = rng.choice(["ellipse", "rounded", "bottle", "ring"])
    if shape == "ellipse":
        draw.ellipse(box, fill=255)
    elif shape == "rounded":
        draw.rounded_rectangle(box, radius=int(min(half_w, half_h) * rng.uniform(0.1, 0.5)), fill=255)
    elif shape == "bottle":
        draw.rounded_rectangle((box[0], box[1] + half_h * 0.6, box[2], box[3]), radius=int(half_w * 0.3), fill=255)
        draw.rectangle((cx - half_w * 0.3, box[1], cx + half_w * 0.3, box[1] + half_h * 0.7), fill=255)
    else:  # a bag body with a handle: a hole that must stay background
        draw.rounded_rectangle((box[0], box[1] + half_h * 0.5, box[2], box[3]), radius=int(half_w * 0.1), fill=255)
        width = int(max(6, half_w * 0.12))
        draw.arc((cx - half_w * 0.5, box[1], cx + half_w * 0.5, box[1] + half_h * 1.1), 180, 360, fill=255, width=width)
    alpha = np.asarray(mask.resize((size, size), Image.Resampling.BOX), np.float32) / 255.0

    base = np.array(PRODUCT_COLOURS[int(rng.integers(len(PRODUCT_COLOURS)))], np.float32)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    shade = 0.8 + 0.3 * (1.0 - xx) * rng.uniform(0.5, 1.0)
    rgb = base[None, None, :] * shade[:, :, None]
    hx, hy = cx / big + rng.uniform(-0.1, 0.1), cy / big - rng.uniform(0.05, 0.2)
    highlight = np.exp(-(((xx - hx) / 0.05) ** 2 + ((yy - hy) / 0.12) ** 2)) * rng.uniform(0.3, 0.8)
    rgb = rgb + (255.0 - rgb) * highlight[:, :, None]
    rgb = rgb + rng.normal(0.0, 1.5, rgb.shape).astype(np.float32)
    if rng.random() < 0.5:
        rgb = _print_brand(rgb, alpha, rng)
    return Product(np.clip(rgb, 0, 255).astype(np.float32), alpha)


def _print_brand(rgb: np.ndarray, alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A brand name printed on the product: allowed on a main image."""
    rows, cols = np.nonzero(alpha > 0.99)
    cy, cx = int(np.median(rows)), int(np.median(cols))
    text = str(rng.choice(BRANDS))
    size = int(rng.integers(28, 60))
    image = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    mean = rgb[cy, cx]
    colour = (250, 250, 250) if mean.mean() < 128 else (20, 20, 20)
    draw.text((cx, cy), text, font=font(size), fill=colour, anchor="mm")
    return np.asarray(image, np.float32)


def encode(rgb: np.ndarray, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, fmt, **options)
    return buffer.getvalue()


def _jpeg(rgb: np.ndarray, rng: np.random.Generator) -> bytes:
    return encode(rgb, "JPEG", quality=int(rng.integers(88, 96)), subsampling=0)


@dataclass(frozen=True)
class LabelledImage:
    name: str  # file name, extension included
    data: bytes
    kind: str  # "clean" or a defect kind
    expected_code: str | None  # the finding code that must flag it; None for clean


def clean(product: Product, rng: np.random.Generator) -> bytes:
    rgb = product.over(255.0)
    return _jpeg(rgb, rng) if rng.random() < 0.7 else encode(rgb, "PNG")


def _background_region(product: Product, rng: np.random.Generator, width: int, height: int) -> tuple[int, int] | None:
    """A random top-left corner for a width x height overlay clear of the product by 8 px, or None."""
    occupied = cv2.dilate((product.alpha > 0).astype(np.uint8), np.ones((17, 17), np.uint8))
    occupied[:10, :] = occupied[-10:, :] = occupied[:, :10] = occupied[:, -10:] = 1
    total = cv2.integral(occupied)
    covered = total[height:, width:] - total[:-height, width:] - total[height:, :-width] + total[:-height, :-width]
    ys, xs = np.nonzero(covered == 0)
    if len(ys) == 0:
        return None
    pick = int(rng.integers(len(ys)))
    return int(xs[pick]), int(ys[pick])


def _text_overlay(product: Product, rng: np.random.Generator, phrases: tuple[str, ...]) -> np.ndarray:
    image = Image.fromarray(product.over(255.0))
    draw = ImageDraw.Draw(image)
    text = str(rng.choice(phrases))
    size = int(rng.integers(30, 64))
    while True:  # smaller text where the product leaves little room
        face = font(size)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=face)
        pad = size // 3
        width, height = right - left + 2 * pad, bottom - top + 2 * pad
        place = _background_region(product, rng, width, height)
        if place is not None or size <= 20:
            break
        size = int(size * 0.85)
    if place is None:
        raise RuntimeError("no room for the text overlay")
    x, y = place
    if rng.random() < 0.35:  # a promo badge: white text on a coloured patch
        draw.rounded_rectangle((x, y, x + width, y + height), radius=pad, fill=(220, 30, 30))
        draw.text((x + pad - left, y + pad - top), text, font=face, fill=(255, 255, 255))
    else:
        colour = [(220, 20, 20), (0, 0, 0), (20, 60, 200), (240, 120, 0)][int(rng.integers(4))]
        draw.text((x + pad - left, y + pad - top), text, font=face, fill=colour)
    return np.asarray(image)


def defect_text_en(product: Product, rng: np.random.Generator) -> bytes:
    return _jpeg(_text_overlay(product, rng, PROMO_EN), rng)


def defect_text_zh(product: Product, rng: np.random.Generator) -> bytes:
    return _jpeg(_text_overlay(product, rng, PROMO_ZH), rng)


def defect_watermark(product: Product, rng: np.random.Generator) -> bytes:
    """Semi-transparent text tiled over the whole image, product included."""
    base = Image.fromarray(product.over(255.0)).convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    text = str(rng.choice(WATERMARKS))
    face = font(int(rng.integers(36, 60)))
    opacity = int(255 * rng.uniform(0.25, 0.45))
    grey = int(rng.integers(0, 110))
    step_x, step_y = int(rng.integers(260, 360)), int(rng.integers(180, 260))
    for row, y in enumerate(range(40, SIZE, step_y)):
        for x in range(-120 + (row % 2) * step_x // 2, SIZE, step_x):
            draw.text((x, y), text, font=face, fill=(grey, grey, grey, opacity))
    angle = float(rng.uniform(-20, 20))
    layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC, center=(SIZE / 2, SIZE / 2))
    return _jpeg(np.asarray(Image.alpha_composite(base, layer).convert("RGB")), rng)


def defect_stamp(product: Product, rng: np.random.Generator) -> bytes:
    """One large semi-transparent word (a shop's stamp: "SAMPLE", "© MyShop") laid across the
    product, tilted, at least a fifth of its letters on the product and a fifth off it, all of it
    within the image."""
    base = Image.fromarray(product.over(255.0)).convert("RGBA")
    on_product = product.alpha > 0.5
    rows, cols = np.nonzero(on_product)
    for _ in range(50):
        layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
        text = str(rng.choice(WATERMARKS))
        centre = (float(rng.choice(cols)), float(rng.choice(rows)))  # a point on the product
        ImageDraw.Draw(layer).text(
            centre, text, font=font(int(rng.integers(90, 170))), fill=(0, 0, 0, 255), anchor="mm"
        )
        layer = layer.rotate(float(rng.uniform(-35, 35)), resample=Image.Resampling.BICUBIC, center=centre)
        ink = np.asarray(layer)[:, :, 3] > 128
        inside = not (ink[:10].any() or ink[-10:].any() or ink[:, :10].any() or ink[:, -10:].any())
        if ink.any() and inside and 0.2 <= float(on_product[ink].mean()) <= 0.8:
            break
    else:
        raise RuntimeError("no placement of the stamp across the product")
    grey = int(rng.integers(0, 170))
    opacity = rng.uniform(0.25, 0.5)
    stamp = np.zeros((SIZE, SIZE, 4), np.uint8)
    stamp[:, :, :3] = grey
    stamp[:, :, 3] = np.rint(np.asarray(layer)[:, :, 3] * opacity).astype(np.uint8)
    return _jpeg(np.asarray(Image.alpha_composite(base, Image.fromarray(stamp)).convert("RGB")), rng)


def defect_qr(product: Product, rng: np.random.Generator) -> bytes:
    payload = f"https://shop.example.com/item/{int(rng.integers(1e6))}"
    qr = cv2.QRCodeEncoder.create().encode(payload)
    side = int(rng.integers(110, 200))
    rgb = product.over(255.0).copy()
    place = _background_region(product, rng, side, side)
    while place is None and side > 90:
        side = int(side * 0.85)
        place = _background_region(product, rng, side, side)
    if place is None:
        raise RuntimeError("no room for the QR code")
    code = cv2.resize(np.pad(qr, 2, constant_values=255), (side, side), interpolation=cv2.INTER_NEAREST)
    x, y = place
    rgb[y : y + side, x : x + side] = code[:, :, None]
    return _jpeg(rgb, rng)


def defect_border(product: Product, rng: np.random.Generator) -> bytes:
    rgb = product.over(255.0).copy()
    width = int(rng.integers(2, 17))
    colour = [(0, 0, 0), (200, 30, 30), (120, 120, 120), (210, 170, 60), (30, 80, 200), (225, 225, 225)][
        int(rng.integers(6))
    ]
    rgb[:width], rgb[-width:], rgb[:, :width], rgb[:, -width:] = colour, colour, colour, colour
    return _jpeg(rgb, rng) if rng.random() < 0.7 else encode(rgb, "PNG")


def defect_thin_frame(product: Product, rng: np.random.Generator) -> bytes:
    """A 1-4 px frame at the edge or drawn 4-20 px inside a white margin."""
    rgb = product.over(255.0).copy()
    inset = int(rng.integers(4, 21)) if rng.random() < 0.6 else 0
    width = int(rng.integers(1, 5))
    colour = [(0, 0, 0), (200, 30, 30), (120, 120, 120), (210, 170, 60), (30, 80, 200)][int(rng.integers(5))]
    inner = rgb[inset : SIZE - inset, inset : SIZE - inset]
    inner[:width], inner[-width:], inner[:, :width], inner[:, -width:] = colour, colour, colour, colour
    return _jpeg(rgb, rng) if rng.random() < 0.7 else encode(rgb, "PNG")


def defect_wide_frame(product: Product, rng: np.random.Generator) -> bytes:
    """A dark or strongly coloured frame 4-9% of the side wide, or such bars along the top and bottom
    only (letterboxing), laid over the image's edges."""
    rgb = product.over(255.0).copy()
    width = int(rng.integers(40, 91))
    colour = [(0, 0, 0), (40, 40, 40), (150, 20, 20), (20, 50, 140), (90, 60, 30)][int(rng.integers(5))]
    rgb[:width], rgb[-width:] = colour, colour
    if rng.random() < 0.6:
        rgb[:, :width], rgb[:, -width:] = colour, colour
    return _jpeg(rgb, rng) if rng.random() < 0.7 else encode(rgb, "PNG")


def defect_edge_bar(product: Product, rng: np.random.Generator) -> bytes:
    """A dark or strongly coloured bar along one side only, 10-90 px wide, clear of the product."""
    sides = rng.permutation(4)
    rgb = product.over(255.0).copy()
    for side in sides:  # the image turned so the bar's side is the top
        turned = np.rot90(rgb, int(side))
        margin = int(np.argmax(np.rot90(product.alpha, int(side)).max(axis=1) > 0))
        if margin >= 25:
            break
    else:
        raise RuntimeError("no room for a bar along a side")
    colour = [(0, 0, 0), (40, 40, 40), (200, 30, 30), (20, 50, 140), (240, 120, 0)][int(rng.integers(5))]
    turned[: int(rng.integers(10, min(91, margin - 12)))] = colour
    return _jpeg(rgb, rng) if rng.random() < 0.7 else encode(rgb, "PNG")


def defect_badge(product: Product, rng: np.random.Generator) -> bytes:
    """A round sticker ("HOT", "NEW", "热卖") clear of the product: white words on a colour."""
    radius = int(rng.integers(55, 100))
    place = _background_region(product, rng, 2 * radius, 2 * radius)
    while place is None and radius > 40:
        radius = int(radius * 0.85)
        place = _background_region(product, rng, 2 * radius, 2 * radius)
    if place is None:
        raise RuntimeError("no room for the badge")
    image = Image.fromarray(product.over(255.0))
    draw = ImageDraw.Draw(image)
    x, y = place
    colour = [(230, 40, 40), (240, 130, 0), (20, 120, 220), (30, 150, 70)][int(rng.integers(4))]
    draw.ellipse((x, y, x + 2 * radius, y + 2 * radius), fill=colour)
    word = str(rng.choice(BADGES))
    draw.text((x + radius, y + radius), word, font=font(int(radius * 0.6)), fill=(255, 255, 255), anchor="mm")
    return _jpeg(np.asarray(image), rng)


PROMO_OVER_PRODUCT = (*PROMO_EN, *PROMO_ZH, "SALE", "-30%", "BUY 2 GET 1", "限时特价", "清仓")


def defect_promo_on_product(product: Product, rng: np.random.Generator) -> bytes:
    """A promotion laid over the product itself, all of it within the product's outline: on a
    colour banner or as bare letters in a colour that stands out from the product's."""
    image = Image.fromarray(product.over(255.0))
    draw = ImageDraw.Draw(image)
    text = str(rng.choice(PROMO_OVER_PRODUCT))
    inside = cv2.erode((product.alpha > 0.99).astype(np.uint8), np.ones((9, 9), np.uint8))
    total = cv2.integral(1 - inside)
    size = int(rng.integers(40, 72))
    while True:
        face = font(size)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=face)
        pad = size // 4
        width, height = right - left + 2 * pad, bottom - top + 2 * pad
        outside = total[height:, width:] - total[:-height, width:] - total[height:, :-width] + total[:-height, :-width]
        ys, xs = np.nonzero(outside == 0)
        if len(ys) or size <= 24:
            break
        size = int(size * 0.85)
    if not len(ys):
        raise RuntimeError("no room for a promotion on the product")
    pick = int(rng.integers(len(ys)))
    x, y = int(xs[pick]), int(ys[pick])
    mean = product.rgb[product.alpha > 0.99].mean(axis=0)
    if rng.random() < 0.4:
        draw.rectangle((x, y, x + width, y + height), fill=(220, 30, 30) if mean[0] < 150 else (30, 30, 160))
        ink = (255, 255, 255)
    else:
        ink = (255, 230, 0) if mean.mean() < 140 else (200, 0, 0) if mean[0] < 150 else (0, 0, 0)
    draw.text((x + pad - left, y + pad - top), text, font=face, fill=ink)
    return _jpeg(np.asarray(image), rng)


def defect_grey(product: Product, rng: np.random.Generator) -> bytes:
    return _jpeg(product.over(float(rng.integers(238, 251))), rng)


def defect_gradient(product: Product, rng: np.random.Generator) -> bytes:
    depth = rng.uniform(12, 35)
    ramp = np.linspace(0.0, 1.0, SIZE, dtype=np.float32)[:, None]
    if rng.random() < 0.5:
        ramp = ramp[::-1]
    backdrop = np.broadcast_to(255.0 - depth * ramp, (SIZE, SIZE))
    return _jpeg(product.over(backdrop), rng)


def defect_shadow(product: Product, rng: np.random.Generator) -> bytes:
    """A soft contact shadow under the product's base."""
    rows, cols = np.nonzero(product.alpha > 0.5)
    bottom, left, right = rows.max(), cols.min(), cols.max()
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    half = (right - left) / 2 * rng.uniform(0.7, 1.1)
    height = rng.uniform(12, 40)
    blob = np.exp(-(((xx - (left + right) / 2) / half) ** 2 + ((yy - bottom) / height) ** 2))
    darkness = rng.uniform(0.1, 0.35)
    return _jpeg(product.over(255.0 * (1.0 - darkness * blob)), rng)


def defect_drop_shadow(product: Product, rng: np.random.Generator) -> bytes:
    """A drop shadow as photo editors add one under a cut-out: the product's silhouette, offset
    8-24 px down and to a side, blurred (sigma 4-12 px) and 20-45% dark."""
    dx, dy = int(rng.integers(8, 25)) * int(rng.choice([-1, 1])), int(rng.integers(8, 25))
    cast = cv2.warpAffine(product.alpha, np.float32([[1, 0, dx], [0, 1, dy]]), (SIZE, SIZE))
    shade = cv2.GaussianBlur(cast, (0, 0), rng.uniform(4.0, 12.0)) * rng.uniform(0.2, 0.45)
    return _jpeg(product.over(255.0 * (1.0 - shade)), rng)


def defect_hard_shadow(product: Product, rng: np.random.Generator) -> bytes:
    """A drop shadow blurred by a pixel or two (sigma 0.5-2 px), offset 8-30 px, 15-45% dark."""
    dx, dy = int(rng.integers(8, 31)) * int(rng.choice([-1, 1])), int(rng.integers(8, 31))
    cast = cv2.warpAffine(product.alpha, np.float32([[1, 0, dx], [0, 1, dy]]), (SIZE, SIZE))
    shade = cv2.GaussianBlur(cast, (0, 0), rng.uniform(0.5, 2.0)) * rng.uniform(0.15, 0.45)
    return _jpeg(product.over(255.0 * (1.0 - shade)), rng)


def defect_noise(product: Product, rng: np.random.Generator) -> bytes:
    sigma = rng.uniform(2.0, 6.0)
    level = rng.uniform(250, 254)
    backdrop = level + rng.normal(0.0, sigma, (SIZE, SIZE, 3)).astype(np.float32)
    return _jpeg(product.over(np.clip(backdrop, 0, 255)), rng)


def defect_small(product: Product, rng: np.random.Generator) -> bytes:
    side = int(rng.integers(560, 721))
    image = Image.fromarray(product.over(255.0)).resize((side, side), Image.Resampling.LANCZOS)
    return _jpeg(np.asarray(image), rng)


def defect_big_png(product: Product, rng: np.random.Generator) -> bytes:
    """A PNG over 5 MB: a large, finely textured product that PNG cannot compress."""
    for side in (3000, 3600, 4200, 4800):
        image = np.asarray(Image.fromarray(product.over(255.0)).resize((side, side), Image.Resampling.BICUBIC))
        alpha = cv2.resize(product.alpha, (side, side), interpolation=cv2.INTER_LINEAR)[:, :, None]
        grain = rng.normal(0.0, 20.0, image.shape).astype(np.float32) * (alpha > 0.99)
        data = encode(np.clip(image + grain, 0, 255).astype(np.uint8), "PNG", compress_level=6)
        if len(data) > 5_000_000:
            return data
    raise RuntimeError("could not make a PNG over 5 MB")


def defect_webp_named_jpg(product: Product, rng: np.random.Generator) -> bytes:
    return encode(product.over(255.0), "WEBP", quality=90)


@dataclass(frozen=True)
class DefectKind:
    name: str
    code: str
    make: Callable[[Product, np.random.Generator], bytes]
    extension: str | None = None  # None: the one the bytes call for


DEFECTS = (
    DefectKind("text_en", "text.added", defect_text_en),
    DefectKind("text_zh", "text.added", defect_text_zh),
    DefectKind("watermark", "text.watermark", defect_watermark),
    DefectKind("qr", "code.qr", defect_qr),
    DefectKind("border", "border.frame", defect_border),
    DefectKind("grey", "background.gray", defect_grey),
    DefectKind("gradient", "background.gradient", defect_gradient),
    DefectKind("shadow", "background.shadow", defect_shadow),
    DefectKind("noise", "background.texture", defect_noise),
    DefectKind("small", "dimensions.too_small", defect_small),
    DefectKind("big_png", "size.too_large", defect_big_png),
    DefectKind("webp_named_jpg", "format.not_allowed", defect_webp_named_jpg, ".jpg"),
    # Added after a probe of styles the first twelve lacked; appended so the others' images stay the same.
    DefectKind("thin_frame", "border.frame", defect_thin_frame),
    DefectKind("badge", "text.added", defect_badge),
    DefectKind("promo_on_product", "text.promo", defect_promo_on_product),
    DefectKind("drop_shadow", "background.shadow", defect_drop_shadow),
    DefectKind("wide_frame", "border.frame", defect_wide_frame),
    DefectKind("stamp", "text.added", defect_stamp),
    DefectKind("edge_bar", "border.frame", defect_edge_bar),
    DefectKind("hard_shadow", "background.shadow", defect_hard_shadow),
)


def labelled_set(per_kind: int, clean_count: int, seed: int = 0) -> list[LabelledImage]:
    """`clean_count` clean images and `per_kind` images of each defect kind, each from its own product."""
    images: list[LabelledImage] = []
    for index in range(clean_count):
        rng = np.random.default_rng([seed, 0, index])
        data = clean(make_product(rng), rng)
        images.append(LabelledImage(f"clean-{index:03d}{_extension(data)}", data, "clean", None))
    for kind_index, kind in enumerate(DEFECTS, start=1):
        for index in range(per_kind):
            rng = np.random.default_rng([seed, kind_index, index])
            data = kind.make(make_product(rng), rng)
            extension = kind.extension or _extension(data)
            images.append(LabelledImage(f"{kind.name}-{index:03d}{extension}", data, kind.name, kind.code))
    return images


def _extension(data: bytes) -> str:
    return ".png" if data[:4] == b"\x89PNG" else ".jpg"
