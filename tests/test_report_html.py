"""report.html: self-contained, bilingual, regenerated without reprocessing, checked in a real browser."""

from __future__ import annotations

import base64
import html
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from aefix.cli import app
from aefix.job import run_job
from aefix.messages import is_translated, translate
from aefix.segment import BackgroundDistanceSegmenter
from aefix.settings import Profile, Settings
from conftest import EXAMPLES, save_rgb
from defects import font
from synth import make_photo

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A finished run: 3 good photos, 1 with promo text (fails the re-check: to _review), 1 broken file, masks."""
    for index in range(3):
        save_rgb(tmp_path / "raw" / f"p{index}.jpg", make_photo(f"p{index}", index, size=(700, 500)).rgb)
    promo = Image.fromarray(make_photo("q", 7, size=(900, 600)).rgb)
    badge = ImageDraw.Draw(promo)
    badge.rounded_rectangle((20, 20, 330, 110), radius=20, fill=(220, 30, 30))  # one blob: kept as product
    badge.text((45, 32), "50% OFF", font=font(60), fill=(255, 255, 255))
    save_rgb(tmp_path / "raw" / "promo.png", np.asarray(promo))
    (tmp_path / "raw" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    settings = Settings(masks_dir=tmp_path / "out" / "_masks", profile=Profile(pass_score=96.0))
    run_job(tmp_path / "raw", tmp_path / "out", settings, BackgroundDistanceSegmenter)
    return tmp_path / "out"


def _cards(page: str) -> list[str]:
    return re.findall(r'<article class="card[^"]*" data-status="([^"]+)"( hidden(?:="")?)?', page)


def test_the_page_is_self_contained_and_its_links_resolve(run_dir: Path) -> None:
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    report = json.loads((run_dir / "aefix-report.json").read_text())
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # no CDN, no network
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sources and all(src.startswith("data:image/jpeg;base64,") for src in sources)
    for link in re.findall(r'<a href="([^"]+)"', page):
        assert (run_dir / link).resolve().is_file(), link  # relative: still works when the folders are copied
    statuses = [status for status, _ in _cards(page)]
    assert sorted(statuses) == sorted(item["status"] for item in report["items"])
    assert statuses.count("error") == 1 and "broken.jpg" in page
    assert page.count(">mask<") == 4  # the overlay, for every image that has a saved mask


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by `make test` (system-packages)")
def test_in_headless_chromium_counts_match_and_the_filter_hides_passed_images(run_dir: Path, tmp_path: Path) -> None:
    report = json.loads((run_dir / "aefix-report.json").read_text())
    url = (run_dir / "report.html").resolve().as_uri()
    dom = subprocess.run([CHROMIUM, *BROWSER_FLAGS, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    cards = _cards(dom.stdout)
    assert len(cards) == report["totals"]["images"] == 5
    assert not any(hidden for _, hidden in cards)
    summary = re.search(r'<div class="summary">(.*?)</div>', dom.stdout).group(1)  # type: ignore[union-attr]
    shown = dict(re.findall(r"<span class=\"\w*\">([^<]+) <b>([^<]+)</b>", summary))
    totals = report["totals"]
    assert (shown["passed"], shown["needs review"], shown["errors"]) == (
        str(totals["ok"]),
        str(totals["needs_review"]),
        str(totals["errors"]),
    )
    filtered = subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, "--dump-dom", url + "#failed"], capture_output=True, text=True, timeout=120
    )
    assert 'data-filter="failed"' in filtered.stdout
    hidden = [status for status, flag in _cards(filtered.stdout) if flag]
    visible = [status for status, flag in _cards(filtered.stdout) if not flag]
    assert totals["ok"] == 3 and totals["needs_review"] == 1 and totals["errors"] == 1
    assert hidden == ["ok"] * 3 and sorted(visible) == ["error", "needs-review"]
    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, "--hide-scrollbars", "--window-size=1400,900", f"--screenshot={shot}", url],
        capture_output=True,
        timeout=120,
    )
    with Image.open(shot) as image:
        assert image.size == (1400, 900)
        colours = image.convert("RGB").getcolors(1_000_000) or []
        assert len(colours) > 500  # thumbnails were drawn, not a blank page


def test_after_a_rerun_with_nothing_new_the_summary_still_counts_every_card(run_dir: Path) -> None:
    settings = Settings(masks_dir=run_dir / "_masks", profile=Profile(pass_score=96.0))
    again = run_job(run_dir.parent / "raw", run_dir, settings, BackgroundDistanceSegmenter)
    assert again.results == [] and again.summary.unchanged == 5
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    summary = re.search(r'<div class="summary">(.*?)</div>', page, re.DOTALL).group(1)  # type: ignore[union-attr]
    shown = dict(re.findall(r"<span class=\"\w*\">([^<]+) <b>([^<]+)</b>", summary))
    # The broken file and the promo in _review are still there, as their cards show.
    assert (shown["passed"], shown["needs review"], shown["errors"], shown["unchanged"]) == ("3", "1", "1", "5")
    assert sorted(status for status, _ in _cards(page)) == ["error", "needs-review", "ok", "ok", "ok"]


def test_aefix_report_regenerates_the_page_in_chinese_without_reprocessing(run_dir: Path) -> None:
    outputs = {path: path.stat().st_mtime_ns for path in run_dir.rglob("*.jpg") if ".aefix-thumbs" not in path.parts}
    result = runner.invoke(app, ["report", str(run_dir), "--lang", "zh"])
    assert result.exit_code == 0 and result.stdout == f"报告：{run_dir / 'report.html'}\n"
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "处理前" in page and "只看不合格" in page
    report = json.loads((run_dir / "aefix-report.json").read_text())
    for item in report["items"]:
        for finding in item["findings"]:
            assert html.escape(translate(finding["message"], "zh")) in page
        if item["error"]:
            assert translate(item["error"], "zh") in page and translate(item["error"], "zh") != item["error"]
    assert {path: path.stat().st_mtime_ns for path in outputs} == outputs  # nothing redone
    missing = runner.invoke(app, ["report", str(run_dir / "nope")])
    assert missing.exit_code == 2


def test_every_message_of_a_run_has_both_languages(run_dir: Path) -> None:
    report = json.loads((run_dir / "aefix-report.json").read_text())
    messages = [f["message"] for item in report["items"] for f in item["findings"]]
    messages += [note for item in report["items"] for note in item["notes"]]
    messages += [item["error"] for item in report["items"] if item["error"]]
    assert messages
    for message in messages:
        assert is_translated(message), message


def test_cli_speaks_chinese_with_lang_zh_or_a_chinese_locale(tmp_path: Path, monkeypatch) -> None:
    save_rgb(tmp_path / "raw" / "a.jpg", make_photo("a", 1).rgb)
    (tmp_path / "raw" / "b.jpg").write_bytes(b"")
    result = runner.invoke(app, ["check", str(tmp_path / "raw" / "b.jpg"), "--lang", "zh"])
    assert (
        result.exit_code == 1
        and "格式：" in result.stdout
        and result.stdout.endswith("1 张图片：0 张通过，1 张不通过\n")
    )
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    bad = runner.invoke(app, ["check", str(tmp_path / "nope.jpg")])
    assert bad.exit_code == 2 and bad.stderr == f"错误：{tmp_path / 'nope.jpg'}：文件或文件夹不存在\n"
    english = runner.invoke(app, ["check", str(tmp_path / "nope.jpg"), "--lang", "en"])
    assert english.stderr == f"Error: {tmp_path / 'nope.jpg'}: no such file or folder\n"


def test_check_html_writes_one_card_per_image(tmp_path: Path) -> None:
    for index in range(2):
        save_rgb(
            tmp_path / "imgs" / f"{index}.png", make_photo(f"c{index}", index, size=(1000, 1000), backdrop=255).rgb
        )
    page_path = tmp_path / "check.html"
    result = runner.invoke(app, ["check", str(tmp_path / "imgs"), "--html", str(page_path), "--lang", "en"])
    assert result.exit_code in (0, 1)
    page = page_path.read_text(encoding="utf-8")
    assert len(_cards(page)) == 2 and page.count("data:image/jpeg;base64,") == 2


def test_warnings_and_the_run_summary_follow_the_language(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".aefix.lock").write_text("pid 1 on nas since 2026-11-26T02:00:00+00:00")  # a killed run's
    source = str(EXAMPLES / "logo-transparent.png")  # real transparency: no model needed
    result = runner.invoke(app, ["run", source, str(out), "-q", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        f"警告：{out}：上次运行（pid 1 on nas since 2026-11-26T02:00:00+00:00）没有正常结束"
    )
    assert result.stdout.startswith("aefix: 1 张图片：1 张合格，0 张需复核，0 张出错，用时 ")
    again = runner.invoke(app, ["run", source, str(out), "--dry-run", "--lang", "zh"])
    assert again.stdout.strip() == "试运行：将处理 0 张图片；1 张未变（跳过）；未写入任何文件"


def test_thumbnails_no_longer_shown_are_pruned_from_the_cache(run_dir: Path) -> None:
    cache = run_dir / ".aefix-thumbs"
    kept = sorted(cache.glob("*.jpg"))
    assert kept
    stale = cache / ("0" * 40 + ".jpg")
    stale.write_bytes(b"old thumbnail")
    os.utime(stale, (1_600_000_000, 1_600_000_000))
    for thumb in kept:  # an earlier night's thumbnails, still in use
        os.utime(thumb, (1_600_000_000, 1_600_000_000))
    assert runner.invoke(app, ["report", str(run_dir), "--lang", "en"]).exit_code == 0
    assert sorted(cache.glob("*.jpg")) == kept


def test_each_image_s_thumbnails_are_made_with_its_output_and_the_page_only_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aefix import report, report_html

    for index in range(2):
        save_rgb(tmp_path / "raw" / f"p{index}.jpg", make_photo(f"p{index}", index, size=(700, 500)).rgb)
    made: list[tuple[str, str]] = []
    make = report_html._make_thumbnail

    def counted(image: Path, overlay: Path | None) -> bytes:
        made.append((image.name, "" if overlay is None else overlay.name))
        return make(image, overlay)

    monkeypatch.setattr(report_html, "_make_thumbnail", counted)
    monkeypatch.setattr(report, "write_html_report", _page_without_making(report_html.write_html_report, made))
    settings = Settings(masks_dir=tmp_path / "out" / "_masks")
    run_job(tmp_path / "raw", tmp_path / "out", settings, BackgroundDistanceSegmenter)
    # before, after and the mask overlay of each image, each made once, all while processing
    assert sorted(made) == sorted(
        [(f"p{i}.jpg", "") for i in range(2)] * 2 + [(f"p{i}.jpg", f"p{i}.png") for i in range(2)]
    )
    assert (tmp_path / "out" / "report.html").read_text(encoding="utf-8").count("data:image/jpeg;base64,") == 6


def _page_without_making(write_page, made: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    def checked(*args, **kwargs):  # type: ignore[no-untyped-def]
        before = len(made)
        page = write_page(*args, **kwargs)
        assert len(made) == before, "the page made thumbnails the workers should have cached"
        return page

    return checked


def test_a_phone_photo_over_80_mp_gets_its_thumbnail(tmp_path: Path) -> None:
    """A 90 MP JPEG is over Pillow's guard at aefix's limit, but its thumbnail decodes at 1/8."""
    from aefix import report_html

    picture = Image.new("RGB", (10_000, 9_000), (230, 230, 230))
    picture.paste((40, 60, 160), (3000, 3000, 7000, 6000))
    photo = tmp_path / "phone.jpg"
    picture.save(photo, quality=85)
    uri = report_html._thumbnail(tmp_path, photo, None)
    assert uri is not None and uri.startswith("data:image/jpeg;base64,")
    thumbnail = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert max(thumbnail.size) == report_html.THUMB_SIDE_PX


def test_a_cached_thumbnail_cut_short_by_a_power_loss_is_made_again(run_dir: Path) -> None:
    cache = run_dir / ".aefix-thumbs"
    for thumb in cache.glob("*.jpg"):
        thumb.write_bytes(b"")  # renamed in place, its data never reached the disk (no fsync for a cache)
    assert runner.invoke(app, ["report", str(run_dir), "--lang", "en"]).exit_code == 0
    assert all(thumb.read_bytes().startswith(b"\xff\xd8") for thumb in cache.glob("*.jpg"))
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert 'data:image/jpeg;base64,"' not in page  # no empty image
