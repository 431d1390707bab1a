"""Unattended runs: incremental reruns, --limit, the DST lock, signals, kill -9, bad input, full or read-only DST."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from aefix.cli import app
from aefix.errors import LockedError
from aefix.job import run_job
from aefix.lock import LOCK_NAME, dst_lock
from aefix.manifest import MANIFEST_NAME
from aefix.pipeline import plan_batch, run_batch
from aefix.segment import BackgroundDistanceSegmenter
from aefix.settings import Settings
from conftest import disc_on_sweep, save_rgb
from synth import make_photo

runner = CliRunner()
ROOT_ONLY = pytest.mark.skipif(
    shutil.which("unshare") is None or os.geteuid() != 0, reason="needs root and util-linux unshare (mount namespace)"
)


def _photos(folder: Path, count: int, size: tuple[int, int] = (600, 450)) -> list[Path]:
    return [
        save_rgb(folder / f"p{index:02d}.jpg", make_photo(f"p{index}", index, size=size).rgb) for index in range(count)
    ]


def _job(src: Path, dst: Path, settings: Settings | None = None, **options: object):
    return run_job(src, dst, settings or Settings(), BackgroundDistanceSegmenter, **options)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_rerun_skips_what_is_unchanged_and_redoes_what_changed(tmp_path: Path) -> None:
    sources = _photos(tmp_path / "raw", 4)
    first = _job(tmp_path / "raw", tmp_path / "out")
    assert [result.status for result in first.results] == ["ok"] * 4
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text())
    entry = manifest["entries"]["p00.jpg"]
    assert entry["sha256"] == _sha(sources[0]) and entry["size"] == sources[0].stat().st_size
    assert entry["output"] == "p00.jpg" and entry["status"] == "ok"

    again = _job(tmp_path / "raw", tmp_path / "out")
    assert again.results == [] and again.summary.unchanged == 4
    assert "4 unchanged since the last run (skipped)" in again.summary.line()

    os.utime(sources[1], ns=(time.time_ns(), time.time_ns() + 10**9))  # touched, same bytes: still done
    save_rgb(sources[2], make_photo("edited", 99, size=(600, 450)).rgb)  # edited: redone
    (tmp_path / "out" / "p03.jpg").unlink()  # output lost: redone
    third = _job(tmp_path / "raw", tmp_path / "out")
    assert sorted(Path(result.source).name for result in third.results) == ["p02.jpg", "p03.jpg"]
    assert third.summary.unchanged == 2

    wider = _job(tmp_path / "raw", tmp_path / "out", Settings(margin_ratio=0.1))  # options changed: all redone
    assert len(wider.results) == 4
    forced = _job(tmp_path / "raw", tmp_path / "out", Settings(margin_ratio=0.1), force=True)
    assert len(forced.results) == 4 and forced.summary.unchanged == 0


def test_a_rerun_still_counts_an_unchanged_image_that_failed_and_exits_1_again(tmp_path: Path) -> None:
    _photos(tmp_path / "raw", 2)
    broken = tmp_path / "raw" / "p02.jpg"
    broken.write_bytes((tmp_path / "raw" / "p00.jpg").read_bytes()[:300])  # a copy cut short
    save_rgb(tmp_path / "raw" / "p03.png", disc_on_sweep(40))  # upscaled x21: to review
    first = _job(tmp_path / "raw", tmp_path / "out")
    statuses = [result.status for result in first.results]
    assert statuses == ["ok", "ok", "error", "needs-review"] and not first.summary.all_passed

    again = _job(tmp_path / "raw", tmp_path / "out")  # nothing to redo, but p02 is still broken
    assert again.results == [] and again.summary.unchanged == 4
    assert (again.summary.unchanged_errors, again.summary.unchanged_review) == (1, 1)
    assert not again.summary.all_passed
    assert "4 unchanged since the last run (skipped); still from earlier runs: 1 error, 1 need review" in (
        again.summary.line()
    )
    assert json.loads(Path(again.report).read_text())["totals"]["unchanged_errors"] == 1

    command = ["run", str(tmp_path / "raw"), str(tmp_path / "cli-out"), "--quiet"]
    assert runner.invoke(app, command).exit_code == 1
    cli = runner.invoke(app, command)
    assert cli.exit_code == 1, cli.output  # as the first run's: a cron mail does not turn green by itself
    assert "0 images" in cli.stdout and "still from earlier runs: 1 error" in cli.stdout

    broken.write_bytes((tmp_path / "raw" / "p01.jpg").read_bytes())  # the file is fixed: retried, all ok
    fixed = _job(tmp_path / "raw", tmp_path / "out")
    assert [Path(result.source).name for result in fixed.results] == ["p02.jpg"]
    assert (fixed.summary.unchanged_errors, fixed.summary.unchanged_review) == (0, 1)
    (tmp_path / "raw" / "p03.png").unlink()  # the seller drops the speck: every output left is ok
    assert _job(tmp_path / "raw", tmp_path / "out").summary.all_passed


def _speck_sent_to_review(tmp_path: Path) -> Path:
    """A good photo and a 40 px speck on a sweep (upscaled x21: to review), run once; the speck's
    review output."""
    _photos(tmp_path / "raw", 1)
    save_rgb(tmp_path / "raw" / "speck.png", disc_on_sweep(40))
    first = _job(tmp_path / "raw", tmp_path / "out")
    assert [result.status for result in first.results] == ["ok", "needs-review"]
    return tmp_path / "out" / "_review" / "speck.jpg"


def _speck_entry(tmp_path: Path) -> tuple[str, str]:
    """The speck's status and output in the manifest."""
    entry = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text())["entries"]["speck.png"]
    return entry["status"], entry["output"]


def test_an_output_moved_out_of_review_by_hand_is_taken_as_accepted(tmp_path: Path) -> None:
    reviewed = _speck_sent_to_review(tmp_path)
    data = reviewed.read_bytes()

    reviewed.rename(tmp_path / "out" / "speck.jpg")  # the seller looked at it and took it
    again = _job(tmp_path / "raw", tmp_path / "out")
    assert again.results == [] and again.summary.all_passed and again.summary.unchanged_review == 0
    assert (tmp_path / "out" / "speck.jpg").read_bytes() == data  # not redone over the seller's choice
    assert _speck_entry(tmp_path) == ("ok", "speck.jpg")
    carried = {Path(r["source"]).name: r for r in json.loads(Path(again.report).read_text())["carried_over"]}
    assert carried["speck.png"]["status"] == "ok"
    assert carried["speck.png"]["output"] == str(tmp_path / "out" / "speck.jpg")
    assert carried["speck.png"]["notes"][-1] == "accepted by hand: moved out of _review"
    assert _job(tmp_path / "raw", tmp_path / "out").summary.all_passed  # and it stays so

    (tmp_path / "out" / "speck.jpg").unlink()  # lost, as any output: redone, back to review
    redone = _job(tmp_path / "raw", tmp_path / "out")
    assert [result.status for result in redone.results] == ["needs-review"] and reviewed.is_file()


def test_an_output_copied_out_of_review_is_accepted_and_its_review_copy_removed(tmp_path: Path) -> None:
    """A copy taken out of _review counts as a move: the same bytes are at the output's place, so
    the one left in _review goes. A different file there (edited, or left by something else) is
    not taken for the seller's choice: both stay, and the image still needs review."""
    reviewed = _speck_sent_to_review(tmp_path)
    placed = tmp_path / "out" / "speck.jpg"
    data = reviewed.read_bytes()

    placed.write_bytes(data[:-2] + b"\x00\xd9")  # not the same bytes: left alone
    edited = _job(tmp_path / "raw", tmp_path / "out")
    assert edited.summary.unchanged_review == 1 and not edited.summary.all_passed
    assert reviewed.read_bytes() == data and placed.read_bytes() != data

    shutil.copyfile(reviewed, placed)  # the seller copied it out
    again = _job(tmp_path / "raw", tmp_path / "out")
    assert again.results == [] and again.summary.all_passed and again.summary.unchanged_review == 0
    assert not reviewed.exists() and placed.read_bytes() == data
    assert _speck_entry(tmp_path) == ("ok", "speck.jpg")
    assert _job(tmp_path / "raw", tmp_path / "out").summary.all_passed


def test_limit_takes_the_next_n_that_need_work_and_says_how_many_are_left(tmp_path: Path) -> None:
    _photos(tmp_path / "raw", 5)
    settings = Settings(limit=2)
    runs = [_job(tmp_path / "raw", tmp_path / "out", settings) for _ in range(3)]
    assert [[Path(r.source).name for r in run.results] for run in runs] == [
        ["p00.jpg", "p01.jpg"],
        ["p02.jpg", "p03.jpg"],
        ["p04.jpg"],
    ]
    assert [run.summary.deferred for run in runs] == [3, 1, 0]
    assert runs[0].summary.line().endswith("; 3 left for the next run (--limit)")


def test_a_second_run_on_the_same_dst_is_refused_with_exit_3(tmp_path: Path) -> None:
    _photos(tmp_path / "raw", 1)
    (tmp_path / "out").mkdir()
    with dst_lock(tmp_path / "out"):
        result = runner.invoke(app, ["run", str(tmp_path / "raw"), str(tmp_path / "out")])
        with pytest.raises(LockedError):
            _job(tmp_path / "raw", tmp_path / "out")
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"Error: {tmp_path / 'out'}: another aefix run is using this folder (pid {os.getpid()}"
    )
    assert not (tmp_path / "out" / "p00.jpg").exists()


def test_a_stale_lock_and_temp_files_of_a_killed_run_are_recovered(tmp_path: Path, caplog) -> None:
    _photos(tmp_path / "raw", 1)
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / LOCK_NAME).write_text("pid 999999 on nas since 2026-11-26T02:00:00+00:00")
    (out / "sub" / ".p09.jpg.999999.aefix-tmp").write_bytes(b"\xff\xd8\xff half a JPEG")
    outcome = _job(tmp_path / "raw", out)
    assert [result.status for result in outcome.results] == ["ok"]
    assert not list(out.rglob("*.aefix-tmp"))
    assert "did not finish; 1 temp file(s) removed" in caplog.text
    assert (out / LOCK_NAME).read_text() == ""  # a clean exit leaves no holder behind


def test_log_file_gets_one_line_per_image_errors_and_the_summary(tmp_path: Path) -> None:
    _photos(tmp_path / "raw", 2)
    (tmp_path / "raw" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    log = tmp_path / "aefix.log"
    log.write_text("earlier line\n")
    result = runner.invoke(app, ["run", str(tmp_path / "raw"), str(tmp_path / "out"), "--log", str(log), "-q"])
    assert result.exit_code == 1
    lines = log.read_text().splitlines()
    assert lines[0] == "earlier line" and len(lines) == 5  # appended: 3 images + the summary
    assert "error" in lines[1] and "broken.jpg: cannot decode jpeg" in lines[1]
    assert lines[4].split(" ", 1)[1].startswith("aefix: 3 images: 2 ok, 0 need review, 1 error in ")


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _bad_inputs(folder: Path) -> dict[str, str]:
    """Every kind of bad input a NAS share collects, and the reason the report must give."""
    folder.mkdir(parents=True)
    photo = Image.fromarray(make_photo("x", 3, size=(600, 450)).rgb)
    jpeg = _encode(photo, "JPEG", quality=90)
    (folder / "zero.jpg").write_bytes(b"")
    (folder / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 3])
    (folder / "random.jpg").write_bytes(np.random.default_rng(0).bytes(5000))
    (folder / "page.png").write_bytes(b"<!DOCTYPE html><html><body>404</body></html>")
    bomb = _encode(Image.new("1", (12_000, 9_000)), "PNG")  # 108 MP of nothing: tiny file, huge image
    (folder / "bomb.png").write_bytes(bomb)
    Image.new("RGB", (1, 1), "white").save(folder / "dot.png")
    (folder / "loop-a.jpg").symlink_to(folder / "loop-b.jpg")
    (folder / "loop-b.jpg").symlink_to(folder / "loop-a.jpg")
    return {
        "zero.jpg": "empty file (0 bytes)",
        "truncated.jpg": "cannot decode jpeg",
        "random.jpg": "not an image",
        "page.png": "not an image (starts with b'<!DOCTYPE ht')",
        "bomb.png": "over the 80 MP limit",
        "dot.png": "image is 1x1 px; each side needs at least 32 px",
        "loop-a.jpg": "cannot read file: Too many levels of symbolic links",
        "loop-b.jpg": "cannot read file: Too many levels of symbolic links",
    }


def _odd_but_good_inputs(folder: Path) -> dict[str, str]:
    """Unusual inputs that must be processed, with the note the report gives (or "" for none)."""
    rgb = make_photo("y", 4, size=(800, 600)).rgb
    photo = Image.fromarray(rgb)
    photo.convert("CMYK").save(folder / "cmyk.jpg", quality=92)
    Image.fromarray(rgb[:, :, 0].astype(np.uint16) * 257).save(folder / "grey16.png")
    palette = photo.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    palette.info["transparency"] = 0
    palette.save(folder / "palette.png", transparency=0)
    exif = Image.Exif()
    exif[0x0112] = 6
    photo.rotate(90, expand=True).save(folder / "rotated.jpg", exif=exif.tobytes(), quality=92)
    frames = [photo, photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    frames[0].save(folder / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    frames[0].save(folder / "anim.webp", save_all=True, append_images=frames[1:], duration=100, loop=0)
    photo.save(folder / "phone.heic", format="HEIF", quality=90)
    photo.save(folder / "红色 杯子 🎁.jpg", quality=92)
    big = Image.fromarray(make_photo("big", 5, size=(1000, 750)).rgb).resize((8660, 5773), Image.Resampling.BILINEAR)
    big.save(folder / "fifty-mp.jpg", quality=85)  # 50 MP
    return {
        "cmyk.jpg": "",
        "grey16.png": "16-bit image reduced to 8 bits",
        "palette.png": "transparency: mask taken from the alpha channel",
        "rotated.jpg": "EXIF orientation 6 applied",
        "anim.gif": "animated (2 frames): first frame used",
        "anim.webp": "animated (2 frames): first frame used",
        "phone.heic": "",
        "红色 杯子 🎁.jpg": "",
        "fifty-mp.jpg": "decoded at 2165x1444 (JPEG draft) from 8660x5773",
    }


def test_bad_input_is_one_reason_per_file_and_the_batch_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "raw"
    bad = _bad_inputs(src)
    good = _odd_but_good_inputs(src)
    for clutter in ("@eaDir/x.jpg", "#recycle/y.jpg", ".DS_Store", "Thumbs.db", "._p.jpg"):
        (src / clutter).parent.mkdir(parents=True, exist_ok=True)
        (src / clutter).write_bytes(b"\xff\xd8\xff clutter")
    before = {path: _sha(path) for path in src.rglob("*") if path.is_file() and not path.is_symlink()}
    outcome = _job(src, src / "out")  # DST inside SRC is never read back
    by_name = {Path(result.source).name: result for result in outcome.results}
    assert set(by_name) == set(bad) | set(good)  # clutter skipped silently, nothing else
    for name, reason in bad.items():
        assert by_name[name].status == "error" and reason in (by_name[name].error or ""), (name, by_name[name].error)
        assert "\n" not in (by_name[name].error or "")
    for name, note in good.items():
        result = by_name[name]
        assert result.status == "ok", (name, result.error, result.findings)
        assert not note or note in result.notes, (name, result.notes)
        with Image.open(result.output or "") as output:
            assert output.size == (1000, 1000)
    rotated = np.asarray(Image.open(by_name["rotated.jpg"].output or "").convert("L"))
    rows, cols = np.nonzero(rotated < 200)
    assert np.ptp(cols) > np.ptp(rows)  # upright: the 800x600 photo's product is wider than tall
    report = json.loads((src / "out" / "aefix-report.json").read_text())
    assert report["totals"]["errors"] == len(bad) and report["totals"]["ok"] == len(good)
    after = {path: _sha(path) for path in before}
    assert after == before  # originals untouched


def test_an_unreadable_file_is_reported_not_fatal(tmp_path: Path, monkeypatch) -> None:
    _photos(tmp_path / "raw", 2)
    secret = tmp_path / "raw" / "p01.jpg"
    real_open = Path.open

    def guarded(self: Path, *args: object, **kwargs: object):  # root reads chmod 000 files: fake EACCES
        if self == secret:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded)
    settings = Settings()
    results = list(
        run_batch(plan_batch(tmp_path / "raw", tmp_path / "out", settings), settings, BackgroundDistanceSegmenter)
    )
    assert [(Path(r.source).name, r.status, r.error) for r in results] == [
        ("p00.jpg", "ok", None),
        ("p01.jpg", "error", "cannot read file: Permission denied"),
    ]


def test_a_full_disk_stops_the_batch_with_exit_4_and_leaves_no_partial_file(tmp_path: Path, monkeypatch) -> None:
    sources = _photos(tmp_path / "raw", 3)
    before = [_sha(path) for path in sources]
    import aefix.imageio

    real_fsync = os.fsync
    calls = {"n": 0}

    def fsync_then_full(descriptor: int) -> None:  # the third file written hits a full disk
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real_fsync(descriptor)

    monkeypatch.setattr(aefix.imageio.os, "fsync", fsync_then_full)
    # The manifest is saved every few seconds mid-batch: on a loaded machine one such save came
    # before the third output and hit the full disk instead. Here the outputs' writes are counted.
    monkeypatch.setattr(aefix.pipeline, "MANIFEST_SAVE_INTERVAL_S", float("inf"))
    # In process: the fake full disk is a monkeypatch, which worker processes would not see.
    result = runner.invoke(app, ["run", str(tmp_path / "raw"), str(tmp_path / "out"), "-q", "--workers", "1"])
    assert result.exit_code == 4
    assert result.stderr.startswith(f"Error: {tmp_path / 'out'}: cannot write output: No space left on device")
    assert not list((tmp_path / "out").rglob("*.aefix-tmp"))
    for output in (tmp_path / "out").glob("*.jpg"):
        Image.open(output).load()  # whatever is there is whole
    assert [_sha(path) for path in sources] == before


def _finish_run(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The next night's run over the same folders, to completion."""
    command = [sys.executable, "-m", "aefix", "run", str(tmp_path / "raw"), str(tmp_path / "out"), "-q"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def aefix(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "aefix", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@ROOT_ONLY
def test_read_only_and_full_dst_on_real_filesystems(tmp_path: Path) -> None:
    for index in range(4):  # grainy products: outputs of a few hundred kB each
        save_rgb(tmp_path / "raw" / f"p{index}.jpg", make_photo(f"p{index}", index, size=(900, 700), noise=12.0).rgb)
    mount = tmp_path / "mnt"
    mount.mkdir()
    script = (
        f"mount -t tmpfs -o size=250k tmpfs {mount} && mkdir {mount}/full && "
        f"{sys.executable} -m aefix run {tmp_path / 'raw'} {mount}/full -q; echo full=$?; "
        f"ls -a {mount}/full; "
        f"mount -o remount,ro {mount} && {sys.executable} -m aefix run {tmp_path / 'raw'} {mount}/full -q; echo ro=$?"
    )
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=600)
    assert "full=4" in done.stdout and "ro=4" in done.stdout, done.stdout + done.stderr
    assert "cannot write output: No space left on device" in done.stderr
    assert "cannot write to the output folder: Read-only file system" in done.stderr
    assert ".aefix-tmp" not in done.stdout  # no temp file left on the full disk
    # The batch got somewhere before the disk filled. With the default two workers, which image is
    # written first is a race (a clean clone had p1 whole and p0 refused), so any whole output counts.
    assert re.search(r"^p\d\.jpg$", done.stdout, re.MULTILINE), done.stdout


@pytest.mark.model
@pytest.mark.parametrize(
    ("signum", "code", "workers"), [(signal.SIGTERM, 143, "1"), (signal.SIGINT, 130, "1"), (signal.SIGTERM, 143, "2")]
)
def test_a_signal_finishes_the_current_image_writes_the_report_and_the_next_run_goes_on(
    tmp_path: Path, signum: int, code: int, workers: str
) -> None:
    _photos(tmp_path / "raw", 8)
    process = aefix("run", str(tmp_path / "raw"), str(tmp_path / "out"), "--workers", workers)
    first = process.stdout.readline() if process.stdout else ""
    assert first.startswith("[1/8] ok"), first
    second = aefix("run", str(tmp_path / "raw"), str(tmp_path / "out"))  # meanwhile: locked out at once
    _, second_err = second.communicate(timeout=60)
    assert second.returncode == 3 and "another aefix run is using this folder" in second_err
    process.send_signal(signum)
    process.communicate(timeout=120)
    assert process.returncode == code
    report = json.loads((tmp_path / "out" / "aefix-report.json").read_text())
    done = report["totals"]["images"]
    assert report["totals"]["stopped_by"] == signal.Signals(signum).name and 1 <= done < 8
    assert report["totals"]["deferred"] == 8 - done
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text())
    assert len(manifest["entries"]) == done
    rest = _finish_run(tmp_path)
    assert rest.returncode == 0, rest.stderr
    assert rest.stdout.startswith(f"aefix: {8 - done} image")
    assert f"{done} unchanged since the last run (skipped)" in rest.stdout
    assert len(list((tmp_path / "out").glob("*.jpg"))) == 8


@pytest.mark.model
def test_kill_9_leaves_no_partial_image_and_the_next_run_recovers(tmp_path: Path) -> None:
    _photos(tmp_path / "raw", 8)
    process = aefix("run", str(tmp_path / "raw"), str(tmp_path / "out"))
    assert process.stdout is not None and process.stdout.readline().startswith("[1/8] ok")
    time.sleep(0.3)
    process.kill()
    process.communicate(timeout=60)
    for output in (tmp_path / "out").glob("*.jpg"):
        Image.open(output).load()  # every output under its real name is whole
    rest = _finish_run(tmp_path)
    assert rest.returncode == 0, rest.stderr
    assert "did not finish" in rest.stderr
    assert not list((tmp_path / "out").rglob("*.aefix-tmp"))
    assert len(list((tmp_path / "out").glob("*.jpg"))) == 8


def test_the_report_carries_over_unchanged_images_so_it_always_covers_dst(tmp_path: Path) -> None:
    _photos(tmp_path / "raw", 3)
    first = _job(tmp_path / "raw", tmp_path / "out", Settings(limit=2))
    first_started = json.loads(Path(first.report).read_text())["started"]
    second = _job(tmp_path / "raw", tmp_path / "out")  # does p02 only
    report = json.loads(Path(second.report).read_text())
    assert [Path(item["source"]).name for item in report["items"]] == ["p02.jpg"]
    carried = {Path(item["source"]).name: item for item in report["carried_over"]}
    assert set(carried) == {"p00.jpg", "p01.jpg"}
    assert carried["p00.jpg"]["status"] == "ok" and carried["p00.jpg"]["score"] == 100.0
    assert carried["p00.jpg"]["done_in_run"] == first_started
    third = _job(tmp_path / "raw", tmp_path / "out")  # nothing to do: all three carried, once each
    report = json.loads(Path(third.report).read_text())
    assert report["items"] == [] and sorted(Path(i["source"]).name for i in report["carried_over"]) == [
        "p00.jpg",
        "p01.jpg",
        "p02.jpg",
    ]
    rows = (tmp_path / "out" / "aefix-report.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 4 and rows[0].endswith(",done_in_run")
