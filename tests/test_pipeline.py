import hashlib
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from aefix.pipeline import ItemResult, plan_batch, process_image, run_batch
from aefix.segment import BackgroundDistanceSegmenter
from aefix.settings import Profile, Settings
from conftest import dilate, disc_on_sweep, place_on_canvas, save_rgb
from synth import make_photo, standard_set


def _touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_plan_mirrors_tree_keeps_colliding_names_and_skips_clutter(tmp_path: Path) -> None:
    src, dst = tmp_path / "raw", tmp_path / "raw" / "out"
    for name in [
        "b/a.jpg",
        "b/a.png",
        "b/A.webp",
        "c/猫 shoe 👟.jpg",
        "notes.txt",
        ".DS_Store",
        "._a.jpg",
        "@eaDir/x.jpg",
        "#recycle/y.jpg",
        "Thumbs.db",
        "out/old.jpg",
    ]:
        _touch(src / name)
    plan = plan_batch(src, dst, Settings())
    mapping = {str(item.relative): str(item.output.relative_to(dst)) for item in plan.items}
    assert mapping == {
        "b/A.webp": "b/A.jpg",
        "b/a.jpg": "b/a_jpg.jpg",
        "b/a.png": "b/a_png.jpg",
        "c/猫 shoe 👟.jpg": "c/猫 shoe 👟.jpg",
    }
    assert plan.skipped == [str(src / "notes.txt")]
    assert sum(item.note is not None for item in plan.items) == 2


def test_limit_takes_the_first_n_in_sorted_order_and_counts_the_rest(tmp_path: Path) -> None:
    for index in range(7):
        _touch(tmp_path / "raw" / f"{index:02d}.jpg")
    plan = plan_batch(tmp_path / "raw", tmp_path / "out", Settings(limit=3))
    assert [item.source.name for item in plan.items] == ["00.jpg", "01.jpg", "02.jpg"]
    assert plan.deferred == 4


@pytest.mark.parametrize("output_format", ["png", "jpg"])
def test_background_is_exactly_white_outside_the_dilated_true_mask(tmp_path: Path, output_format: str) -> None:
    settings = Settings(output_format=output_format, masks_dir=tmp_path / "masks")
    for photo in standard_set()[:3]:
        save_rgb(tmp_path / "raw" / f"{photo.name}.png", photo.rgb)
    plan = plan_batch(tmp_path / "raw", tmp_path / "out", settings)
    results = list(run_batch(plan, settings, BackgroundDistanceSegmenter))
    assert [r.status for r in results] == ["ok"] * 3, [r.findings for r in results]
    photos = {photo.name: photo for photo in standard_set()[:3]}
    for result in results:
        photo = photos[Path(result.source).stem]
        out = np.asarray(Image.open(result.output).convert("RGB"))
        assert out.shape == (1000, 1000, 3)
        predicted = np.asarray(Image.open(tmp_path / "masks" / f"{photo.name}.png")) > 0
        truth = place_on_canvas(photo.mask, predicted)
        band = 3 if output_format == "png" else 3 + 8  # JPEG: one 8x8 block of ringing allowed
        dilated = dilate(truth, band)
        assert (out[~dilated] == 255).all()
        outside = (~dilated).sum()
        print(f"{photo.name} [{output_format}]: {outside} pixels outside the dilated mask, all exactly 255")
        # The margin: the product's bounding box spans 85% of the side, centred.
        product_rows, product_cols = np.nonzero((out < 250).any(axis=2))
        span = max(np.ptp(product_rows), np.ptp(product_cols)) + 1
        assert 840 <= span <= (852 if output_format == "png" else 860)  # JPEG ringing may reach past the edge
        assert abs(product_cols.min() - (999 - product_cols.max())) <= 3
        assert abs(product_rows.min() - (999 - product_rows.max())) <= 3
        assert predicted.shape == photo.mask.shape


def test_originals_are_never_modified_and_bad_files_do_not_stop_the_batch(tmp_path: Path) -> None:
    src = tmp_path / "raw"
    photo = make_photo("p", 1)
    good = save_rgb(src / "1-good.jpg", photo.rgb, quality=90)
    _touch(src / "2-empty.jpg", b"")
    _touch(src / "3-html.png", b"<html><body>not found</body></html>")
    also_good = save_rgb(src / "4-good.png", photo.rgb)
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in src.iterdir()}
    os.chmod(good, 0o444)
    settings = Settings()
    results = list(run_batch(plan_batch(src, tmp_path / "out", settings), settings, BackgroundDistanceSegmenter))
    assert [r.status for r in results] == ["ok", "error", "error", "ok"]
    assert results[1].error == "empty file (0 bytes)"
    assert results[2].error.startswith("not an image (starts with b'<html>")
    assert results[1].output is None and not (tmp_path / "out" / "2-empty.jpg").exists()
    after = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in src.iterdir()}
    assert before == after and also_good.exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["1-good.jpg", "4-good.jpg"]


def test_transparent_png_needs_no_model_and_composites_over_white(tmp_path: Path) -> None:
    rgba = np.zeros((400, 400, 4), np.uint8)
    rgba[100:300, 150:250] = (20, 90, 200, 255)
    rgba[180:220, 180:220] = (255, 0, 0, 128)  # a half-transparent red window in the product
    rgba[120:160, 180:220] = (255, 0, 0, 77)  # and a fainter one: a cut-out's alpha is kept as it is
    path = tmp_path / "cutout.png"
    Image.fromarray(rgba).save(path)
    settings = Settings(limit=1)
    plan = plan_batch(path, tmp_path / "out", settings)

    def no_model():
        raise AssertionError("the model must not be loaded for a cut-out")

    result = process_image(plan.items[0], settings, no_model)
    assert result.status == "ok" and result.segmenter == "alpha-channel"
    out = np.asarray(Image.open(result.output))
    assert (out[:, :70] == 255).all() and (out[:, 930:] == 255).all()
    red_over_white = out[480:520, 480:520].reshape(-1, 3).astype(int)
    assert np.abs(red_over_white - (255, 127, 127)).max() <= 3  # JPEG q95 rounding only
    faint_red_over_white = out[220:280, 480:520].reshape(-1, 3).astype(int)
    assert np.abs(faint_red_over_white - (255, 178, 178)).max() <= 3
    # right inside its rim too (1-3 source px), where a matte's steepening would cut it to white (254)
    rim = out[164:173, 424:576, 1].astype(float)
    assert abs(rim.mean() - 178) <= 6


def test_one_session_serves_the_whole_batch_and_upscaling_is_flagged(tmp_path: Path) -> None:
    small = make_photo("small", 6, "box", size=(900, 800), product_rgb=(110, 40, 130), backdrop=250)
    for index in range(3):
        save_rgb(tmp_path / "raw" / f"{index}.png", small.rgb)
    built: list[BackgroundDistanceSegmenter] = []

    def factory() -> BackgroundDistanceSegmenter:
        built.append(BackgroundDistanceSegmenter())
        return built[-1]

    settings = Settings()
    results = list(run_batch(plan_batch(tmp_path / "raw", tmp_path / "out", settings), settings, factory))
    assert len(built) == 1 and [r.segmenter for r in results] == ["classic+background-distance"] * 3
    assert all(r.upscaled and r.scale > 1 for r in results)
    assert any(note.startswith("product upscaled x") for note in results[0].notes)


def test_a_small_products_edge_is_as_sharp_on_the_canvas_as_in_the_photo(tmp_path: Path) -> None:
    # A disc 240 px across with a one-pixel anti-aliased edge, scaled up about x3.5 onto the canvas.
    yy, xx = np.mgrid[0:800, 0:900].astype(np.float32)
    cover = np.clip(120.5 - np.hypot(yy - 400, xx - 450), 0.0, 1.0)[:, :, None]
    photo = np.rint(cover * (30, 60, 160) + (1.0 - cover) * 245.0).astype(np.uint8)
    save_rgb(tmp_path / "raw" / "disc.png", photo)
    settings = Settings(output_format="png")
    item = plan_batch(tmp_path / "raw", tmp_path / "out", settings).items[0]
    result = process_image(item, settings, BackgroundDistanceSegmenter)
    assert result.status == "ok" and result.scale > 3.4
    out = np.asarray(Image.open(result.output).convert("RGB")).astype(np.float32)
    # How far each pixel is from white towards the product's blue: its coverage on the canvas.
    coverage = (255.0 - out[:, :, 2]) / (255.0 - 160.0)
    ramp = ((coverage > 0.1) & (coverage < 0.9)).sum() / (2 * np.pi * 120.5 * result.scale)
    assert ramp < 2.5  # 1.6 output px; stretched by the scale it measured 4.4


def test_masks_folder_inside_src_is_not_read_as_input(tmp_path: Path) -> None:
    save_rgb(tmp_path / "a.png", make_photo("a", 1).rgb)
    _touch(tmp_path / "masks" / "a.png")
    plan = plan_batch(tmp_path, tmp_path / "out", Settings(masks_dir=tmp_path / "masks"))
    assert [item.relative for item in plan.items] == [Path("a.png")]


def test_an_unreadable_folder_is_reported_not_silently_dropped(tmp_path: Path, monkeypatch, caplog) -> None:
    _touch(tmp_path / "ok" / "a.jpg")
    _touch(tmp_path / "locked" / "b.jpg")
    real_scandir = os.scandir

    def scandir(path):  # root reads everything, so the permission error is staged
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    plan = plan_batch(tmp_path, tmp_path / "out", Settings())
    assert [item.relative for item in plan.items] == [Path("ok/a.jpg")]
    assert plan.skipped == [f"{tmp_path / 'locked'} (unreadable folder: Permission denied)"]
    assert f"Warning: {tmp_path / 'locked'}: cannot read folder: Permission denied" in caplog.text


def test_camera_metadata_and_gps_never_reach_the_output(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}  # GPS IFD: Shanghai
    source = tmp_path / "raw" / "gps.jpg"
    source.parent.mkdir()
    Image.fromarray(make_photo("p", 2).rgb).save(source, quality=90, exif=exif)
    assert Image.open(source).getexif().get_ifd(0x8825)
    settings = Settings()
    (result,) = run_batch(plan_batch(source.parent, tmp_path / "out", settings), settings, BackgroundDistanceSegmenter)
    output = Image.open(result.output)
    assert result.status == "ok"
    assert not output.getexif() and "exif" not in output.info and "icc_profile" not in output.info


def test_outputs_failing_the_recheck_go_to_review_and_move_back_once_they_pass(tmp_path: Path) -> None:
    save_rgb(tmp_path / "raw" / "shoes" / "a.png", make_photo("a", 1).rgb)
    # A shop's stricter mark: "under the recommended 2000 px" (-3) now fails.
    strict = Settings(profile=Profile(dimensions_recommended_side_px=2000, pass_score=99.0))
    (failed,) = run_batch(plan_batch(tmp_path / "raw", tmp_path / "out", strict), strict, BackgroundDistanceSegmenter)
    review = tmp_path / "out" / "_review" / "shoes" / "a.jpg"
    assert failed.status == "needs-review" and failed.score == 97.0
    assert failed.output == str(review) and review.is_file()
    assert not (tmp_path / "out" / "shoes" / "a.jpg").exists()
    assert [finding["code"] for finding in failed.findings] == ["dimensions.below_recommended"]
    # The next run (default profile) passes it: it moves out of _review, leaving no stale copy.
    settings = Settings()
    (passed,) = run_batch(
        plan_batch(tmp_path / "raw", tmp_path / "out", settings), settings, BackgroundDistanceSegmenter
    )
    assert passed.status == "ok" and passed.output == str(tmp_path / "out" / "shoes" / "a.jpg")
    assert Path(passed.output).is_file() and not review.exists()


def test_two_workers_give_byte_identical_outputs_in_plan_order(tmp_path: Path) -> None:
    for photo in standard_set()[:4]:
        save_rgb(tmp_path / "raw" / f"{photo.name}.jpg", photo.rgb, quality=92)
    (tmp_path / "raw" / "zz-broken.jpg").write_bytes(b"\xff\xd8\xff broken")
    settings = Settings(masks_dir=None)
    one = list(
        run_batch(plan_batch(tmp_path / "raw", tmp_path / "one", settings), settings, BackgroundDistanceSegmenter)
    )
    plan = plan_batch(tmp_path / "raw", tmp_path / "two", settings)
    two = list(run_batch(plan, settings, BackgroundDistanceSegmenter, workers=2))
    assert [Path(r.source).name for r in two] == [item.source.name for item in plan.items]  # plan order
    assert [(r.status, r.score, r.error) for r in two] == [(r.status, r.score, r.error) for r in one]
    for first, second in zip(one, two, strict=True):
        if first.output:
            assert Path(first.output).read_bytes() == Path(second.output or "").read_bytes()


def test_default_workers_is_the_cores_unless_memory_is_short(monkeypatch) -> None:
    from aefix import pipeline

    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert pipeline.available_cores() == 4
    with open("/proc/meminfo") as meminfo:
        free_mb = next(int(line.split()[1]) // 1024 for line in meminfo if line.startswith("MemAvailable"))
    monkeypatch.setattr(pipeline, "WORKER_MEMORY_MB", free_mb // 2)  # memory holds two workers only
    assert pipeline.default_workers() == 2
    monkeypatch.setattr(pipeline, "WORKER_MEMORY_MB", free_mb * 10)  # not even one: still one
    assert pipeline.default_workers() == 1


def test_a_batch_process_keeps_freed_memory_for_the_next_image() -> None:
    # glibc would unmap a freed 200 MB buffer at once; a worker keeps it to reuse for the next image.
    import subprocess
    import sys

    script = (
        "import sys, numpy as np\n"
        "from aefix.pipeline import _keep_freed_memory\n"
        "if sys.argv[1] == 'keep': _keep_freed_memory()\n"
        "buffer = np.ones(200 * 2**20 // 8); del buffer\n"
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')) // 1024)\n"
    )
    rss_mb = {}
    for mode in ("keep", "plain"):
        run = subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True, check=True)
        rss_mb[mode] = int(run.stdout)
    assert rss_mb["keep"] - rss_mb["plain"] >= 150, rss_mb


def test_a_worker_over_its_trim_limit_hands_freed_memory_back() -> None:
    import subprocess
    import sys

    script = (
        "import numpy as np\n"
        "from aefix.pipeline import _keep_freed_memory, _trim_when_over\n"
        "def rss():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')) // 1024\n"
        "_keep_freed_memory()\n"
        "buffer = np.ones(200 * 2**20 // 8); del buffer\n"
        "kept = rss()\n"
        "under = _trim_when_over(kept + 100)\n"
        "after_under = rss()\n"
        "over = _trim_when_over(kept - 100)\n"
        "print(kept, under, after_under, over, rss())\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    kept, under, after_under, over, trimmed = run.stdout.split()
    assert under == "False" and int(after_under) >= int(kept) - 5  # under the limit: kept for reuse
    assert over == "True" and int(trimmed) <= int(kept) - 150  # over it: handed back


class _ConstantSegmenter:
    """A network as sure of a disc as `confidence` says, and of nothing else."""

    name = "double"

    def __init__(self, confidence: float) -> None:
        self.confidence = confidence

    def predict(self, rgb: np.ndarray) -> np.ndarray:
        height, width = rgb.shape[:2]
        rows, cols = np.ogrid[:height, :width]
        disc = (rows - height / 2) ** 2 + (cols - width / 2) ** 2 <= (min(height, width) / 3) ** 2
        return np.where(disc, self.confidence, 0.0).astype(np.float32)


@pytest.mark.parametrize("confidence, status", [(0.7, "needs-review"), (1.0, "ok")])
def test_a_cut_out_the_network_is_unsure_of_goes_to_review(tmp_path: Path, confidence: float, status: str) -> None:
    """On a scene (no sweep to measure colour against) the network draws the mask alone: a mask it
    is nowhere sure of is a texture or a scene more likely than a product, however clean the output."""
    rng = np.random.default_rng(3)
    scene = rng.integers(40, 200, (600, 800, 3)).astype(np.uint8)  # grainy mid-grey: no studio sweep
    save_rgb(tmp_path / "raw" / "a.png", scene)
    settings = Settings()
    (result,) = run_batch(
        plan_batch(tmp_path / "raw", tmp_path / "out", settings), settings, lambda: _ConstantSegmenter(confidence)
    )
    assert result.segmenter == "double" and result.score == 100.0
    assert result.metrics["network_sure_share"] == (0.0 if confidence < 0.9 else 1.0)
    doubts = _routed_with(result, tmp_path / "out", status, "the model is unsure")
    if status != "ok":
        assert doubts == [
            "the model is unsure what the product is: sure of 0% of the cut-out "
            "(a texture, a scene, or a product it cannot see): look at it before use"
        ]


class _FixedSegmenter:
    """A network that answers every photo with the same mask."""

    name = "double"

    def __init__(self, soft: np.ndarray) -> None:
        self.soft = soft

    def predict(self, rgb: np.ndarray) -> np.ndarray:
        assert rgb.shape[:2] == self.soft.shape
        return self.soft


def test_on_a_light_wooden_table_a_cast_shadow_the_network_is_sure_of_leaves_the_cut_out() -> None:
    """A light table's grain (9 levels, as bench-quality's tables) reads as 18-21 levels of noise:
    still smooth enough for the colour-based mask, which parts the shadow from the product. At 18
    levels the limit sent it to the network's mask, shadow and all (IoU 0.74 here; 0.94 on
    bench-quality seed 3's blob on a table)."""
    from aefix.imageio import LoadedImage
    from aefix.pipeline import cut_out
    from conftest import iou

    side = 1200
    rng = np.random.default_rng(5)
    rows, cols = np.mgrid[0:side, 0:side].astype(np.float32)
    grain = 9.0 * np.sin(rows / side * 100 + 3 * np.sin(cols / side * 5))
    fine = 4.0 * cv2.GaussianBlur(rng.normal(0, 1, (side, side)).astype(np.float32), (0, 0), 1.5)
    table = (218.0 + grain + fine)[:, :, None] + np.float32([6, 0, -10])
    disc = np.zeros((side, side), np.uint8)
    cv2.circle(disc, (side // 2 * 16, side // 2 * 16), 300 * 16, 255, -1, cv2.LINE_AA, 4)
    truth = cv2.GaussianBlur(disc.astype(np.float32) / 255.0, (0, 0), 1.0)
    cast = cv2.GaussianBlur(cv2.warpAffine(truth, np.float32([[1, 0, 160], [0, 1, 60]]), (side, side)), (0, 0), 3.0)
    photo = table * (1.0 - 0.35 * (cast * (1.0 - truth))[:, :, None])
    photo = photo * (1.0 - truth[:, :, None]) + np.float32([70, 90, 120]) * truth[:, :, None]
    photo += rng.normal(0.0, 2.0, photo.shape).astype(np.float32)
    rgb = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    network = np.maximum(truth, cast)  # sure of the product and of its shadow
    cut = cut_out(LoadedImage(rgb, None, "PNG"), Settings(), lambda: _FixedSegmenter(network))
    assert float(cut.metrics["backdrop_noise"]) > 18.0
    assert cut.method == "classic+double"
    shadow_only = (cast > 0.5) & (truth < 0.01)
    assert shadow_only.sum() > 50_000
    assert cut.mask.hard[shadow_only].mean() < 0.01
    assert iou(cut.mask.hard, truth >= 0.5) > 0.99
    assert iou(network >= 0.5, truth >= 0.5) < 0.8


@pytest.mark.parametrize("tint", [(0.0, 0.0, 0.0), (-2.0, 0.0, 4.0)])
@pytest.mark.parametrize("shift", [(-20, -14), (14, -10), (20, 16)])
def test_a_light_grey_star_keeps_the_arm_beside_a_wedge_of_its_cast_shadow(
    shift: tuple[int, int], tint: tuple[float, float, float]
) -> None:
    """A light-grey star (200 on a sweep of 250, neutral or a few levels bluish) and its cast
    shadow (180, penumbra 3 px) beside it, the network sure of both. Where a wedge of the shadow
    lies along an arm, its penumbra is within the sharpness window of the star's edge: with no cut
    there, star and wedge were one piece, split along a ragged line through the arm and peeled with
    the shadow (8.1-13.7% of the neutral star, 6.5-9.0% of the bluish one, at 9f9cc53). The step up
    from the shadow's floor is cut too (stages/valley.py)."""
    from aefix.imageio import LoadedImage
    from aefix.pipeline import cut_out
    from conftest import dilate, drawn_star

    side = 1000
    star = drawn_star((side, side), (500.0, 520.0), 380.0)
    cast = drawn_star((side, side), (500.0 + shift[0], 520.0 + shift[1]), 380.0)
    sweep = 250.0 * (1.0 - 0.28 * cv2.GaussianBlur(cast.astype(np.float32), (0, 0), 3.0))
    cover = cv2.GaussianBlur(star.astype(np.float32), (0, 0), 0.7)[:, :, None]
    photo = cover * (200.0 + np.float32(tint)) + (1.0 - cover) * sweep[:, :, None]
    photo += np.random.default_rng(3).normal(0.0, 1.0, photo.shape)
    rgb = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    network = (star | cast).astype(np.float32)
    cut = cut_out(LoadedImage(rgb, None, "PNG"), Settings(), lambda: _FixedSegmenter(network))
    assert cut.method == "classic+double"
    assert (star & ~cut.mask.hard).sum() < 0.01 * star.sum()
    # A wedge wider than the valley's 13 px reach can stay joined to the star (5,017 px, neutral,
    # shifted -20, -14): the shadow kept is a sliver of it at most.
    assert ((cut.mask.alpha > 0) & ~dilate(star, 3)).sum() < 0.03 * star.sum()


def _routed_with(result: ItemResult, out: Path, status: str, prefix: str) -> list[str]:
    """The notes starting with `prefix`, once the output is where `status` puts it: DST with no such
    note when ok, DST/_review with such notes, each in the Chinese catalogue too, otherwise."""
    from aefix.messages import is_translated, translate

    notes = [note for note in result.notes if note.startswith(prefix)]
    assert result.status == status and Path(str(result.output)).is_file()
    if status == "ok":
        assert result.output == str(out / "a.jpg") and not notes
    else:
        assert result.output == str(out / "_review" / "a.jpg") and notes
        assert all(is_translated(note) and translate(note, "zh") != note for note in notes)
    return notes


@pytest.mark.parametrize("diameter, status", [(40, "needs-review"), (160, "ok")])
def test_a_product_too_small_to_fill_the_image_goes_to_review(tmp_path: Path, diameter: int, status: str) -> None:
    """A 40 px product on a 1000 px sweep needs x21 to fill 85% of the canvas: a blur, or a speck
    taken for a product. At 160 px (x5.3) it is a small product, upscaled and noted."""
    save_rgb(tmp_path / "raw" / "a.png", disc_on_sweep(diameter))
    settings = Settings()
    (result,) = run_batch(
        plan_batch(tmp_path / "raw", tmp_path / "out", settings), settings, BackgroundDistanceSegmenter
    )
    assert result.upscaled and result.scale == pytest.approx(850 / diameter, rel=0.05)
    small = _routed_with(result, tmp_path / "out", status, "too small in the source photo")
    if status != "ok":
        assert small == [
            f"too small in the source photo for a main image (upscaled x{result.scale:.1f}, over x8): "
            "look at it before use"
        ]
