"""`DST/report.html`: one self-contained page to review a run by eye, in English or Chinese.

Thumbnails are embedded (JPEG data URIs, cached in DST/.aefix-thumbs so reruns are cheap); the
full-size images are relative links, which still work when SRC and DST are copied together. No
CDN, no server, no network: it opens from a NAS share in any browser.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import io
import os
import time
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from aefix.imageio import open_bounded, sniff_format, write_atomic
from aefix.messages import translate
from aefix.settings import Settings

REPORT_HTML = "report.html"
THUMBS_DIR = ".aefix-thumbs"
# Shown at 120 CSS px; 160 keeps them crisp on most screens while 500 cards stay well under 15 MB.
THUMB_SIDE_PX = 160
THUMB_QUALITY = 72
JPEG_START = b"\xff\xd8"
STATUS_CLASS = {"ok": "ok", "needs-review": "review", "error": "error", "pass": "ok", "fail": "review"}


def write_html_report(dst: Path, report: dict[str, Any], lang: str) -> Path:
    """Write DST/report.html from a run's JSON report; return its path.

    Cached thumbnails the page no longer uses (deleted or replaced images) are removed after it.
    """
    building_since = time.time()
    records = [(item, False) for item in report.get("items", [])]
    records += [(item, True) for item in report.get("carried_over", [])]
    masks_dir = (report.get("settings") or {}).get("masks_dir")
    cards = [_card(dst, item, earlier, lang, Path(masks_dir) if masks_dir else None) for item, earlier in records]
    totals = report.get("totals", {})
    # The counts are of the cards below, this run's and those carried over: a rerun with nothing
    # new still shows the image that failed the night before as an error, at the top as below.
    statuses = [str(item.get("status", "error")) for item, _ in records]
    summary: list[tuple[str, object, str]] = [
        (translate("passed", lang), statuses.count("ok"), "ok"),
        (translate("needs review", lang), statuses.count("needs-review"), "review"),
        (translate("errors", lang), statuses.count("error"), "error"),
        (translate("unchanged", lang), totals.get("unchanged", 0), ""),
        (translate("time taken", lang), f"{totals.get('seconds', 0)} s", ""),
    ]
    path = dst / REPORT_HTML
    write_atomic(path, _page(lang, report.get("started", ""), summary, cards).encode("utf-8"))
    _prune_thumbnails(dst / THUMBS_DIR, building_since)
    return path


def _prune_thumbnails(cache: Path, used_since: float) -> None:
    """Delete cached thumbnails not touched while building this page (every one it used was)."""
    for thumb in cache.glob("*.jpg"):
        with contextlib.suppress(OSError):
            if thumb.stat().st_mtime < used_since - 1.0:
                thumb.unlink()


def write_check_html(path: Path, results: Iterable[tuple[str, dict[str, Any]]], lang: str) -> Path:
    """The same page for `aefix check --html FILE`: one card per checked image (no before/after)."""
    cards = []
    passed = failed = 0
    for source, result in results:
        item = {"source": source, "output": source, "status": "ok" if result["verdict"] == "pass" else "needs-review",
                **result}  # fmt: skip
        passed += result["verdict"] == "pass"
        failed += result["verdict"] != "pass"
        cards.append(_card(path.parent, item, False, lang, None, before=False))
    summary: list[tuple[str, object, str]] = [
        (translate("passed", lang), passed, "ok"),
        (translate("needs review", lang), failed, "review"),
    ]
    write_atomic(path, _page(lang, "", summary, cards).encode("utf-8"))
    return path


def _card(
    dst: Path, item: dict[str, Any], earlier: bool, lang: str, masks_dir: Path | None, before: bool = True
) -> str:
    status = str(item.get("status", "error"))
    source = Path(str(item.get("source", "")))
    output = Path(str(item["output"])) if item.get("output") else None
    images = []
    if before:
        images.append(_figure(dst, source, translate("before", lang)))
    if output is not None:
        images.append(_figure(dst, output, translate("after", lang)))
    mask = _mask_path(masks_dir, dst, output) if masks_dir and output else None
    if mask is not None and mask.is_file():
        images.append(_figure(dst, source, translate("mask", lang), overlay=mask))
    score = item.get("score")
    badge = "" if score is None else f'<span class="badge {STATUS_CLASS.get(status, "")}">{score:g}</span>'
    findings = [
        f'<li class="{html.escape(str(f.get("severity")))}"><code>{html.escape(str(f.get("code")))}</code> '
        f"{html.escape(translate(str(f.get('message', '')), lang))}</li>"
        for f in item.get("findings", [])
    ]
    if not findings and status != "error":
        findings.append(f'<li class="none">{html.escape(translate("no findings", lang))}</li>')
    error = item.get("error")
    if error:
        findings.insert(0, f'<li class="fail">{html.escape(translate(str(error), lang))}</li>')
    method = [f"mask by {item['segmenter']}"] if item.get("segmenter") else []
    notes = "".join(f"<li>{html.escape(translate(str(note), lang))}</li>" for note in [*method, *item.get("notes", [])])
    status_text = {"ok": "passed", "needs-review": "needs review", "error": "errors"}.get(status, status)
    earlier_tag = (
        f'<span class="earlier">{html.escape(translate("from an earlier run", lang))}</span>' if earlier else ""
    )
    return (
        f'<article class="card {STATUS_CLASS.get(status, "")}" data-status="{html.escape(status)}">'
        f'<div class="thumbs">{"".join(images)}</div>'
        f'<div class="meta"><h2>{badge} <span class="status">{html.escape(translate(status_text, lang))}</span> '
        f"{html.escape(source.name)}{earlier_tag}</h2>"
        f'<ul class="findings">{"".join(findings)}</ul><ul class="notes">{notes}</ul></div></article>'
    )


def _mask_path(masks_dir: Path, dst: Path, output: Path) -> Path | None:
    try:
        relative = output.relative_to(dst)
    except ValueError:
        return None
    if relative.parts and relative.parts[0] == "_review":
        relative = Path(*relative.parts[1:])
    return masks_dir / relative.with_suffix(".png")


def _figure(dst: Path, image: Path, label: str, overlay: Path | None = None) -> str:
    link = html.escape(os.path.relpath(overlay or image, dst).replace(os.sep, "/"))
    uri = _thumbnail(dst, image, overlay)
    inner = f'<img src="{uri}" alt="{html.escape(label)}" loading="lazy">' if uri else '<div class="missing">?</div>'
    return f'<figure><a href="{link}">{inner}</a><figcaption>{html.escape(label)}</figcaption></figure>'


def cache_thumbnails(dst: Path, source: Path, output: Path, mask: Path | None) -> None:
    """Make one image's thumbnails for DST/report.html now, as the page will ask for them.

    Called by the worker that has just written the output: the thumbnails are made in parallel,
    while the batch runs, and the page at the end of the run only reads them from the cache.
    """
    _thumbnail(dst, source, None)
    _thumbnail(dst, output, None)
    if mask is not None:
        _thumbnail(dst, source, mask)


def _thumbnail(dst: Path, image: Path, overlay: Path | None) -> str | None:
    """A small JPEG as a data URI, cached under DST/.aefix-thumbs by file identity."""
    try:
        stat = image.stat()
        key = f"{image.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{overlay}"
        if overlay is not None:
            key += f"|{overlay.stat().st_mtime_ns}"
    except OSError:
        return None
    cache = dst / THUMBS_DIR / (hashlib.sha1(key.encode()).hexdigest() + ".jpg")
    data = b""
    with contextlib.suppress(OSError):
        data = cache.read_bytes()
        os.utime(cache)  # in use: kept by the pruning after this page
    if not data.startswith(JPEG_START):  # not cached, or cut short by a power loss (written without fsync)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)  # a refused bomb stays refused
                data = _make_thumbnail(image, overlay)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
            return None
        write_atomic(cache, data, durable=False)
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def _make_thumbnail(image: Path, overlay: Path | None) -> bytes:
    with image.open("rb") as stream:
        head = stream.read(32)
    # Pillow's guard at aefix's limit, or a JPEG's 1/8 draft under it: a 108 MP phone photo has a thumbnail too.
    with open_bounded(image, sniff_format(head), Settings.max_pixels) as opened:
        opened.draft("RGB", (THUMB_SIDE_PX * 2, THUMB_SIDE_PX * 2))
        picture = ImageOps.exif_transpose(opened).convert("RGB")
    picture.thumbnail((THUMB_SIDE_PX, THUMB_SIDE_PX), Image.Resampling.LANCZOS)
    if overlay is not None:
        with Image.open(overlay) as mask_image:
            mask = np.asarray(mask_image.convert("L").resize(picture.size, Image.Resampling.BILINEAR)) >= 128
        tinted = np.asarray(picture).astype(np.float32)
        tinted[~mask] = tinted[~mask] * 0.35 + np.array([255.0, 40.0, 40.0]) * 0.65  # background in red
        picture = Image.fromarray(tinted.astype(np.uint8))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=THUMB_QUALITY, optimize=True)
    return buffer.getvalue()


STYLE = """
body{font:14px/1.4 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f4f5;color:#18181b}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:10px 16px;z-index:1}
h1{font-size:18px;margin:0 0 6px}.summary span{margin-right:14px}.summary b{font-size:16px}
.summary .ok b{color:#15803d}.summary .review b{color:#b45309}.summary .error b{color:#b91c1c}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:12px;padding:12px}
.card{background:#fff;border-radius:8px;padding:10px;display:flex;gap:10px;border-left:5px solid #15803d}
.card.review{border-left-color:#b45309}.card.error{border-left-color:#b91c1c}
.thumbs{display:flex;gap:6px;flex:none}figure{margin:0;text-align:center;font-size:12px;color:#666}
figure img,.missing{width:120px;height:120px;object-fit:contain;background:#eee;border:1px solid #ddd;display:block}
.missing{line-height:120px;font-size:28px}.meta{min-width:0}h2{font-size:14px;margin:0 0 6px;word-break:break-all}
.badge{display:inline-block;min-width:34px;text-align:center;border-radius:10px;color:#fff;background:#15803d;padding:0 6px}
.badge.review{background:#b45309}.badge.error{background:#b91c1c}.earlier{color:#888;font-weight:normal;margin-left:6px}
ul{margin:0;padding-left:18px}.findings .fail{color:#b91c1c}.findings .warn{color:#b45309}.findings .info,.notes{color:#666}
code{font-size:12px;color:#555}
"""

SCRIPT = """
const box=document.getElementById('failed-only');
function apply(){for(const card of document.querySelectorAll('.card')){card.hidden=box.checked&&card.dataset.status==='ok';}
document.body.dataset.filter=box.checked?'failed':'all';}
box.addEventListener('change',apply);if(location.hash==='#failed'){box.checked=true;}apply();
addEventListener('load',()=>{document.body.dataset.loadedMs=Math.round(performance.now());});
"""


def _page(lang: str, started: str, summary: list[tuple[str, object, str]], cards: list[str]) -> str:
    counts = "".join(
        f'<span class="{css}">{html.escape(label)} <b>{html.escape(str(value))}</b></span>'
        for label, value, css in summary
    )
    title = translate("aefix report", lang)
    return (
        f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><header><h1>{html.escape(title)} {html.escape(started)}</h1>"
        f'<div class="summary">{counts}</div><label><input type="checkbox" id="failed-only"> '
        f"{html.escape(translate('show failed only', lang))}</label></header>"
        f'<main id="cards">{"".join(cards)}</main><script>{SCRIPT}</script></body></html>'
    )
