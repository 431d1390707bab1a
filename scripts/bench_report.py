"""Size and opening time of report.html for a 500-image run (`make bench-report`).

Builds a report of N images (default 500) over 20 distinct photo pairs cut from the real photos in
examples/ (a 3000x2000 source and a 1000x1000 output each, cycled; each card embeds its own
thumbnails), writes the page, and opens
it in headless Chromium: prints the file size, the page's own load time (performance.now() at the
load event, which covers decoding every embedded thumbnail) and Chromium's wall time. Targets:
under 15 MB, under 2 s.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image

from aefix.report_html import write_html_report

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
DISTINCT = 20
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as root:
        dst = Path(root) / "out"
        dst.mkdir()
        pairs = []
        photos = sorted(EXAMPLES.glob("*.jpg"))
        for index in range(DISTINCT):
            with Image.open(photos[index % len(photos)]) as opened:
                photo = opened.convert("RGB")
            left = (index * 37) % max(1, photo.width // 4)
            source = Path(root) / f"raw-{index}.jpg"
            photo.crop((left, 0, photo.width - left, photo.height)).resize((3000, 2000)).save(source, quality=90)
            output = dst / f"out-{index}.jpg"
            side = min(photo.size) - 1
            photo.crop((left, 0, left + side, side)).resize((1000, 1000)).save(output, quality=95)
            pairs.append((source, output))
        items = []
        for index in range(args.images):
            source, output = pairs[index % DISTINCT]
            copy = dst / f"img-{index:04d}.jpg"  # every card its own file, so its own thumbnail
            copy.write_bytes(output.read_bytes())
            items.append(
                {
                    "source": str(source),
                    "output": str(copy),
                    "status": "ok" if index % 5 else "needs-review",
                    "score": 100.0 if index % 5 else 84.0,
                    "findings": []
                    if index % 5
                    else [
                        {
                            "code": "background.shadow",
                            "severity": "fail",
                            "message": "background: shadow next to the product over 1.2% of the image, "
                            "up to 18 levels dark (-15)",
                        }
                    ],
                    "notes": ["product upscaled x1.25: small in the source photo"],
                    "error": None,
                }
            )
        report = {"totals": {"images": args.images, "ok": args.images * 4 // 5}, "items": items, "started": "bench"}
        clock = time.perf_counter()
        page = write_html_report(dst, report, "en")
        first = time.perf_counter() - clock
        clock = time.perf_counter()
        write_html_report(dst, report, "en")
        cached = time.perf_counter() - clock
        size_mb = page.stat().st_size / 1e6
        print(f"{args.images} images: report.html {size_mb:.2f} MB (target < 15 MB)")
        print(f"  written in {first:.1f} s (thumbnails made), {cached:.2f} s again (thumbnail cache)")
        if chromium is None:
            print("  chromium not found: install it (make system-packages) to time the page")
            return
        loads, walls = [], []
        for _ in range(3):
            clock = time.perf_counter()
            dom = subprocess.run([chromium, *FLAGS, "--dump-dom", page.as_uri()], capture_output=True, text=True)
            walls.append(time.perf_counter() - clock)
            found = re.search(r'data-loaded-ms="(\d+)"', dom.stdout)
            loads.append(int(found.group(1)) if found else -1)
        print(
            f"  opened in headless Chromium: load event at {sorted(loads)[1]} ms (median of 3, target < 2000 ms); "
            f"Chromium start to DOM dump {sorted(walls)[1]:.2f} s"
        )


if __name__ == "__main__":
    main()
