"""A before/after sheet of a finished run, for judging edges by eye (`make before-after`).

One row per image of DST's report (this run's, and those it carried over as unchanged): the
source, the output, and a 4x crop of the output around the product's edge point that is most
off-white there (where a halo or a bad edge would show).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageOps

THUMB = 360
ZOOM = 4


def edge_crop(output: np.ndarray) -> Image.Image:
    """A THUMB/ZOOM square of the output where the product's edge meets the white, enlarged ZOOM x."""
    white = (output == 255).all(axis=2)
    product = ~white
    rows, cols = np.nonzero(product)
    if len(rows) == 0:
        return Image.new("RGB", (THUMB, THUMB), "white")
    # The leftmost product pixel on the product's middle row: an edge that is always there.
    middle = (rows.min() + rows.max()) // 2
    on_row = np.flatnonzero(product[middle])
    y, x = middle, int(on_row.min()) if len(on_row) else int(cols.min())
    half = THUMB // ZOOM // 2
    top = int(np.clip(y - half, 0, output.shape[0] - 2 * half))
    left = int(np.clip(x - half, 0, output.shape[1] - 2 * half))
    crop = Image.fromarray(output[top : top + 2 * half, left : left + 2 * half])
    return crop.resize((THUMB, THUMB), Image.Resampling.NEAREST)


def main() -> int:
    dst = Path(sys.argv[1] if len(sys.argv) > 1 else "demo-out")
    sheet_path = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/before-after.jpg")
    report = json.loads((dst / "aefix-report.json").read_text())
    # An image the run found unchanged keeps its earlier record (and output) in `carried_over`.
    records = report["items"] + report.get("carried_over", [])
    items = sorted((item for item in records if item.get("output")), key=lambda item: item["source"])
    if not items:
        print(f"{dst / 'aefix-report.json'}: no outputs to show", file=sys.stderr)
        return 1
    sheet = Image.new("RGB", (3 * THUMB + 40, len(items) * (THUMB + 30) + 10), (235, 235, 235))
    draw = ImageDraw.Draw(sheet)
    for row, item in enumerate(items):
        y = 10 + row * (THUMB + 30)
        with Image.open(item["source"]) as source:
            before = ImageOps.exif_transpose(source).convert("RGB")
        before.thumbnail((THUMB, THUMB))
        output = np.asarray(Image.open(item["output"]).convert("RGB"))
        after = Image.fromarray(output)
        after.thumbnail((THUMB, THUMB))
        for column, tile in enumerate((before, after, edge_crop(output))):
            sheet.paste(tile, (10 + column * (THUMB + 10), y + 20))
        label = f"{Path(item['source']).name}  score {item.get('score')}  mask: {item.get('segmenter')}"
        draw.text((10, y + 4), label, fill=(0, 0, 0))
    sheet_path.parent.mkdir(parents=True, exist_ok=True)
    if sheet_path.suffix.lower() in (".jpg", ".jpeg"):
        sheet.save(sheet_path, quality=88)  # photos: a PNG sheet is four times the size
    else:
        sheet.save(sheet_path, optimize=True)
    print(f"{sheet_path}: {len(items)} rows (source | output | {ZOOM}x edge crop of the output)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
