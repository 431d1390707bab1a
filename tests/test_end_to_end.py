"""The real job: the installed `aefix` with the real u2netp model, offline, on synthetic and real photos."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from conftest import EXAMPLES, ROOT, dilate, iou, place_on_canvas, save_rgb
from defects import font
from photoset import DARK_LEVELS
from synth import standard_set

if TYPE_CHECKING:
    from aefix.pipeline import Cutout
    from photoset import TruthPhoto

pytestmark = pytest.mark.model

# A plain backdrop in a metal's mid tones, no light sweep (photoset's `levels`).
MID_GREY = (110.0, 150.0)
# Measured with u2netp on tests/synth.py's standard set (2026-11-27): IoU 0.992-0.998 per image.
IOU_FLOOR = 0.98
# Background purity is asserted outside the true mask dilated by this much: the network's edge
# error (measured at most 8 px on the mug handle) plus one 8x8 JPEG block of ringing.
DILATION_PX = 16


def aefix(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    command = [*prefix, sys.executable, "-m", "aefix", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def _cut_truth_photo(
    index: int,
    seed: int,
    tmp_path: Path,
    dark: bool = False,
    segmenter_choice: str = "auto",
    levels: tuple[float, float] = DARK_LEVELS,
) -> tuple[TruthPhoto, Cutout]:
    """bench-quality's photo `index` of set `seed` (its TruthPhoto; `dark`: on a plain dark or
    coloured backdrop, its level drawn from `levels`) and its cut-out by the real model."""
    from aefix.imageio import load_image
    from aefix.pipeline import cut_out
    from aefix.segment import RembgSegmenter
    from aefix.settings import Settings
    from photoset import make_truth_photo

    settings = Settings(models_dir=ROOT / "models", segmenter=segmenter_choice)
    segmenter = RembgSegmenter("u2netp", settings.models_dir)
    photo = make_truth_photo(index, seed, dark=dark, levels=levels)
    path = tmp_path / photo.name
    path.write_bytes(photo.data)
    return photo, cut_out(load_image(path, settings), settings, lambda: segmenter)


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("e2e")
    photos = {}
    for photo in standard_set():
        save_rgb(root / "raw" / f"{photo.name}.jpg", photo.rgb, quality=92)
        photos[photo.name] = photo
    strace = ("strace", "-f", "-e", "trace=connect", "-o", str(root / "strace.txt"))
    done = aefix("run", str(root / "raw"), str(root / "out"), "--masks", str(root / "masks"), "--quiet", prefix=strace)
    return root, photos, done


def test_masks_match_the_truth(synthetic_run) -> None:
    root, photos, done = synthetic_run
    assert done.returncode == 0, done.stdout + done.stderr
    scores = {}
    for name, photo in photos.items():
        predicted = np.asarray(Image.open(root / "masks" / f"{name}.png")) >= 128
        assert predicted.shape == photo.mask.shape
        scores[name] = iou(predicted, photo.mask)
    print("IoU of --masks against truth (u2netp):", {name: round(value, 4) for name, value in scores.items()})
    assert min(scores.values()) >= IOU_FLOOR


def test_background_is_pure_white_outside_the_product(synthetic_run) -> None:
    root, photos, _ = synthetic_run
    for name, photo in photos.items():
        out = np.asarray(Image.open(root / "out" / f"{name}.jpg"))
        predicted = np.asarray(Image.open(root / "masks" / f"{name}.png")) > 0
        outside = ~dilate(place_on_canvas(photo.mask, predicted), DILATION_PX)
        assert outside.sum() > 200_000
        assert (out[outside] == 255).all(), f"{name}: {(out[outside] != 255).any(axis=1).sum()} impure pixels"


def test_no_network_connection_is_attempted(synthetic_run) -> None:
    root, _, done = synthetic_run
    assert done.returncode == 0
    assert _trace_connects(root / "strace.txt") == []


def test_report_lists_every_image(synthetic_run) -> None:
    root, photos, done = synthetic_run
    report = json.loads((root / "out" / "aefix-report.json").read_text())
    assert report["totals"]["images"] == len(photos) == report["totals"]["ok"]
    assert {Path(item["source"]).stem for item in report["items"]} == set(photos)
    assert all(item["score"] >= 92 and item["status"] == "ok" for item in report["items"])
    assert done.stdout.strip().startswith(f"aefix: {len(photos)} images: {len(photos)} ok, 0 need review, 0 errors in ")


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="needs root and util-linux unshare")
def test_examples_in_a_network_namespace_without_interfaces(tmp_path: Path) -> None:
    done = aefix("run", str(EXAMPLES), str(tmp_path / "out"), prefix=("unshare", "-n"))
    assert done.returncode in (0, 1), done.stderr
    sources = sorted(p for p in EXAMPLES.iterdir() if p.suffix.lower() in {".jpg", ".png"})
    assert len(sources) >= 5
    report = json.loads((tmp_path / "out" / "aefix-report.json").read_text())
    outputs = {Path(item["source"]).name: Path(item["output"]) for item in report["items"]}
    for source in sources:
        out = outputs[source.name]
        # Failing outputs go to _review/, passing ones beside each other; never both.
        expected_dir = tmp_path / "out" / ("_review" if report_item(report, source)["status"] != "ok" else "")
        assert out == expected_dir / f"{source.stem}.jpg"
        data = out.read_bytes()
        assert data[:3] == b"\xff\xd8\xff" and len(data) <= 5_000_000
        assert Image.open(out).size == (1000, 1000)
    assert report["totals"]["errors"] == 0


def report_item(report: dict, source: Path) -> dict:
    (item,) = [item for item in report["items"] if Path(item["source"]).name == source.name]
    return item


def _trace_connects(trace: Path) -> list[str]:
    return [line for line in trace.read_text().splitlines() if re.search(r"connect\(\d+, \{sa_family=AF_INET6?,", line)]


def test_check_reads_promo_text_offline(tmp_path: Path) -> None:
    """rapidocr's weights ship in its wheel: text is read with no network, and none is attempted."""
    canvas = Image.new("RGB", (1000, 1000), "white")
    canvas.paste((30, 90, 170), (250, 150, 750, 750))
    draw = ImageDraw.Draw(canvas)
    draw.text((230, 800), "FREE SHIPPING", font=font(60), fill=(220, 20, 20))
    draw.text((330, 890), "限时折扣", font=font(60), fill=(0, 0, 0))
    canvas.save(tmp_path / "promo.jpg", quality=92)
    trace = tmp_path / "strace.txt"
    prefix: tuple[str, ...] = ("strace", "-f", "-e", "trace=connect", "-o", str(trace))
    if shutil.which("unshare") and os.geteuid() == 0:
        prefix = ("unshare", "-n", *prefix)  # and no network to reach even if it tried
    done = aefix("check", str(tmp_path / "promo.jpg"), "--json", prefix=prefix)
    assert done.returncode == 1, done.stderr
    (image,) = json.loads(done.stdout)["images"]
    (text,) = [finding for finding in image["findings"] if finding["code"] == "text.added"]
    assert "FREE SHIPPING" in text["value"] and "限时折扣" in text["value"]
    assert _trace_connects(trace) == []


def test_two_workers_match_one_byte_for_byte_with_the_real_model(tmp_path: Path) -> None:
    for photo in standard_set()[:4]:
        save_rgb(tmp_path / "raw" / f"{photo.name}.jpg", photo.rgb, quality=92)
    one = aefix("run", str(tmp_path / "raw"), str(tmp_path / "one"), "-q", "--workers", "1")
    two = aefix("run", str(tmp_path / "raw"), str(tmp_path / "two"), "-q", "--workers", "2")
    assert one.returncode == two.returncode == 0, two.stderr
    for output in sorted((tmp_path / "one").glob("*.jpg")):
        assert output.read_bytes() == (tmp_path / "two" / output.name).read_bytes(), output.name
    reports = [json.loads((tmp_path / name / "aefix-report.json").read_text()) for name in ("one", "two")]
    assert [i["source"] for i in reports[0]["items"]] == [i["source"] for i in reports[1]["items"]]
    assert [i["score"] for i in reports[0]["items"]] == [i["score"] for i in reports[1]["items"]]


def test_cutout_beats_plain_rembg_on_photos_with_known_alpha(tmp_path: Path) -> None:
    """The bench-quality comparison, small: same model, same photos, aefix's mask vs rembg.remove's."""
    from aefix.imageio import load_image
    from aefix.pipeline import cut_out
    from aefix.segment import RembgSegmenter
    from aefix.settings import Settings
    from aefix.stages.crop import crop_to_canvas
    from aefix.stages.whiten import fill_white
    from photoset import make_truth_photo

    settings = Settings(models_dir=ROOT / "models")
    segmenter = RembgSegmenter("u2netp", settings.models_dir)
    from rembg.bg import remove
    from rembg.session_factory import new_session

    plain = new_session("u2netp")
    ours_iou, theirs_iou = [], []
    # A glossy mug (hole) on a gradient with a contact shadow, a strap bag on a radial gradient,
    # a white mug on white, a glass bottle on a wooden table: sizes 1600-2400 px.
    for index in (3, 12, 21, 54):
        photo = make_truth_photo(index, 2026, size=(1600, 1200))
        path = tmp_path / photo.name
        path.write_bytes(photo.data)
        truth = photo.alpha >= 128
        cut = cut_out(load_image(path, settings), settings, lambda: segmenter)
        with Image.open(path) as image:
            theirs = np.asarray(remove(image, session=plain))[:, :, 3] >= 128
        ours = cut.mask.hard
        ours_iou.append(iou(ours, truth))
        theirs_iou.append(iou(theirs, truth))
        assert ours_iou[-1] >= 0.98, photo.name
        # Beyond 2 px of the true product the output is exactly white.
        final = fill_white(crop_to_canvas(cut.colour, cut.mask.alpha, settings))
        background = ~place_on_canvas(dilate(photo.alpha > 2, 3), ours)
        assert (final[background] == 255).all(), photo.name
    assert np.mean(ours_iou) > np.mean(theirs_iou), (ours_iou, theirs_iou)


@pytest.mark.parametrize("index", [8, 32])  # bench-quality's white star and white charger on light grey
def test_a_faint_white_product_is_found_on_a_second_look(index: int, tmp_path: Path, monkeypatch) -> None:
    """u2netp sees the star's shadow and 30 px of the charger's cable; the second look, the photo
    less its sweep amplified, finds both products (bench-quality at seed 2026: IoU 0.05 -> 0.93
    and 0.01 -> 0.89)."""
    import aefix.pipeline
    from aefix.messages import is_translated, translate

    photo, cut = _cut_truth_photo(index, 2026, tmp_path)
    truth = photo.alpha >= 128
    assert cut.method == "classic+u2netp+faint"
    (note,) = [note for note in cut.notes if "second, contrast-stretched look" in note]
    assert is_translated(note) and translate(note, "zh") != note
    assert iou(cut.mask.alpha >= 0.5, truth) >= 0.85, iou(cut.mask.alpha >= 0.5, truth)
    assert cut.doubt is None

    monkeypatch.setattr(aefix.pipeline, "second_look", lambda *args: None)
    _, first = _cut_truth_photo(index, 2026, tmp_path)
    assert iou(first.mask.alpha >= 0.5, truth) < 0.1  # the first look alone: the shadow, or a speck
    # A second look that finds nothing leaves that cut-out; the charger's speck goes to review (the
    # star's shadow, 3.8% of the frame, is as large as a metal product that has only its mirror
    # image beside it, and does not).
    if index == 32:
        assert first.doubt is not None and first.doubt in first.notes and "faint" in first.doubt
        assert is_translated(first.doubt) and translate(first.doubt, "zh") != first.doubt


@pytest.mark.parametrize("index", [23, 32])  # bench-quality's light-grey and white chargers on light grey
def test_a_pale_cable_too_faint_for_the_colour_test_is_kept_whole(index: int, tmp_path: Path) -> None:
    """Where the cable's shading fades out it is 2-10 levels off the sweep: under the colour test's
    threshold, and the network does not see it. Found by its tint, it is kept whole: seed 2026 had
    kept 71% and 23% of the cables' middle lines (IoU 0.959 and 0.890)."""
    from skimage.morphology import skeletonize

    photo, cut = _cut_truth_photo(index, 2026, tmp_path)
    alpha = cut.mask.alpha
    truth = cv2.resize(photo.alpha, alpha.shape[::-1], interpolation=cv2.INTER_AREA) >= 128
    middle = skeletonize(truth)
    assert float(dilate(alpha >= 0.5, 1)[middle].mean()) >= 0.95
    assert float(cut.metrics["faint_thin_share"]) > 0.0
    assert iou(alpha >= 0.5, truth) >= 0.965, iou(alpha >= 0.5, truth)


def test_a_metal_cable_s_tail_through_its_contact_shadow_is_kept(tmp_path: Path) -> None:
    """bench-quality's metal cable on fabric (seed 2026): its tail runs through the charger's contact
    shadow, where the colour test joins it to the shadow, which goes. Found against the median of
    what lies around it (IoU 0.9368 before, 0.9796 with it), with none of the shadow."""
    photo, cut = _cut_truth_photo(41, 2026, tmp_path)
    alpha = cut.mask.alpha
    truth = cv2.resize(photo.alpha, alpha.shape[::-1], interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    assert float(cut.metrics["thin_line_share"]) > 0.0
    assert iou(alpha >= 0.5, truth >= 0.5) >= 0.97, iou(alpha >= 0.5, truth >= 0.5)
    assert int(((truth < 0.01) & (alpha >= 0.5)).sum()) <= 30


def test_a_metal_cable_beyond_its_highlight_is_kept(tmp_path: Path) -> None:
    """Held-out seed 3's metal cable on a wooden table: lit at its bend a little brighter than the
    table, and in the table's tone either side of that, so all of it beyond the bend was lost
    (IoU 0.9177). Followed piece to piece across those gaps (0.9867 here)."""
    photo, cut = _cut_truth_photo(5, 3, tmp_path)
    alpha = cut.mask.alpha
    truth = cv2.resize(photo.alpha, alpha.shape[::-1], interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    assert iou(alpha >= 0.5, truth >= 0.5) >= 0.98, iou(alpha >= 0.5, truth >= 0.5)
    assert int(((truth < 0.01) & (alpha >= 0.5)).sum()) <= 60


def test_the_contact_shadow_beside_a_white_cable_is_not_read_as_the_cable(tmp_path: Path) -> None:
    """bench-quality's white charger on light grey (seed 2026): its cable's tip lies in the
    charger's contact shadow, which the classical mask took in either side of it, with no product
    interior near to borrow a colour from. By distance from the sweep the shadow is farther than
    the white cable: 67 working px of shadow read as product (a grey outline round the tip, 17
    impure output px). Read only on the side of the sweep's colour where the cable's middle lies: 17."""
    photo, cut = _cut_truth_photo(32, 2026, tmp_path)
    alpha = cut.mask.alpha
    truth = cv2.resize(photo.alpha, alpha.shape[::-1], interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    assert int(((truth < 0.01) & (alpha >= 0.5)).sum()) <= 30


@pytest.mark.parametrize("seed", [2026, 7, 11])
def test_a_white_ring_on_a_wooden_table_is_parted_from_its_cast_shadow(seed: int, tmp_path: Path) -> None:
    """bench-quality's white ring on the wooden table: u2netp takes the ring, its grey cast shadow
    and part of both holes for one product. The shadow's edge seen through the ring's hole is soft,
    which read as a photo out of focus, so nothing was peeled (IoU 0.59-0.60 on these seeds); and
    peeled, the cool white ring read as bare warm table and went with it. Then the shadow seen
    through the ring's hole stayed (seeds 7 and 11, IoU 0.84 and 0.86) until the hole, once opened,
    let its edge be judged."""
    photo, cut = _cut_truth_photo(33, seed, tmp_path)
    assert photo.material == "white" and photo.backdrop == "table" and photo.shadow == "cast"
    assert iou(cut.mask.alpha >= 0.5, photo.alpha >= 128) >= 0.95


def test_a_second_peel_after_a_hole_opens_takes_only_what_touches_the_hole(tmp_path: Path) -> None:
    """bench-quality's metal star on a radial sweep (seed 3): a shadow is peeled and bare backdrop
    behind it opened. Judged again over the whole product, the star's shadow-toned stripe, merged
    with the rest of its shadow, went as well: 8% of the star's inside (a notch through an arm).
    Only a shadow seen through the opened hole is judged again; the star loses no more than its
    highlight, which reads as backdrop (1.5%)."""
    photo, cut = _cut_truth_photo(53, 3, tmp_path)
    assert photo.material == "metallic" and photo.shadow == "cast"
    assert _inside_lost(photo, cut) < 0.03


def _off_the_product(photo: TruthPhoto, cut: Cutout, beyond_px: int = 3) -> int:
    """Pixels of the cut-out (alpha over 0) more than `beyond_px` px off the true product, at the working size."""
    alpha = cut.mask.alpha
    truth = cv2.resize(photo.alpha, alpha.shape[::-1], interpolation=cv2.INTER_AREA)
    reach = 2 * beyond_px + 1
    near = cv2.dilate((truth > 2).view(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
    return int(np.count_nonzero((alpha > 0) & (near == 0)))


def _inside_lost(photo: TruthPhoto, cut: Cutout) -> float:
    """Share of the true product's inside (4 px in from its edge, at the working size) the cut-out left out."""
    alpha = cut.mask.alpha
    truth = cv2.resize(photo.alpha, alpha.shape[::-1], interpolation=cv2.INTER_AREA) >= 128
    inside = cv2.erode(truth.view(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    return float((alpha[inside] < 0.5).mean())


def test_a_metal_s_stripe_flooded_from_a_notch_s_penumbra_is_not_peeled_with_the_shadow(tmp_path: Path) -> None:
    """bench-quality's metal star on a radial sweep (seed 2026): its cast shadow peeks into the
    notch between two arms, and a shadow-toned stripe of the star meets that stretch of penumbra.
    The split's soft side flooded the stripe from there, apart from the shadow beyond the star,
    and the two, judged as one piece, went together: a W-shaped hole through an arm, 3.3% of the
    star's inside. Each part of the soft side is now judged alone: 0.8%."""
    photo, cut = _cut_truth_photo(53, 2026, tmp_path)
    assert photo.material == "metallic" and photo.shadow == "cast"
    assert _inside_lost(photo, cut) < 0.015


@pytest.mark.parametrize(
    ("index", "dark", "method", "most_lost"),
    [(4, True, "u2netp+plain", 0.015), (53, False, "classic+u2netp", 0.005)],
    ids=["bag-on-mid-grey", "star-on-a-light-sweep"],
)
def test_a_metal_s_shading_in_the_backdrop_s_tone_is_no_hole(
    index: int, dark: bool, method: str, most_lost: float, tmp_path: Path
) -> None:
    """Held-out seed 3's metal bag on a mid-grey backdrop and metal star on a light radial sweep:
    where their shading passes through the backdrop's tone, strips of them read as bare backdrop
    (the bag's joined to its handle's hole, which the network filled; the star's once its shadow
    was peeled) and went, 2.1% and 1.5% of their inside. They keep the shading's slope: 1.0% and
    0.02% (the bag's rest: where its strips meet the hole and the outline, their slope is read
    with the hole's)."""
    photo, cut = _cut_truth_photo(index, 3, tmp_path, dark=dark, levels=MID_GREY)
    assert photo.material == "metallic" and cut.method == method
    assert _inside_lost(photo, cut) < most_lost
    truth = cv2.resize(photo.alpha, cut.mask.alpha.shape[::-1], interpolation=cv2.INTER_AREA)
    assert iou(cut.mask.alpha >= 0.5, truth >= 128) >= 0.97
    assert _off_the_product(photo, cut) <= 50


@pytest.mark.parametrize(
    ("index", "seed"), [(24, 11), (6, 5)], ids=["matte-ring-on-a-gradient", "glass-ring-on-fabric"]
)
def test_a_ring_s_shadow_seen_through_its_hole_goes_where_the_cut_parts_it(
    index: int, seed: int, tmp_path: Path
) -> None:
    """Held-out seed 11's matte ring and seed 5's glass ring: their cast shadow seen through the
    hole narrows toward its tips, where the ring's sharp edge comes within its penumbra's reach. The
    cut along that edge parted pieces of it from the peeled rest, each with an outline a quarter
    sharp and too large for a remnant, and they stayed (186 and 141 px of the cut-out over 3 px off
    the ring). Judged with the shadow beside them they go: 71 and 65."""
    photo, cut = _cut_truth_photo(index, seed, tmp_path)
    assert photo.shape == "ring" and photo.shadow == "cast"
    assert _off_the_product(photo, cut) <= 100
    assert _inside_lost(photo, cut) < 0.005


def test_a_metal_blob_keeps_no_tab_of_its_shadow_where_a_band_in_its_tone_runs_out(tmp_path: Path) -> None:
    """bench-quality's metal blob on light grey (seed 2026): a 12 px band of its shading in the
    shadow's tone runs out across its outline into the cast shadow. The shadow nearer the band's
    sides than its penumbra stayed, two tabs (1,504 px of the cut-out over 3 px off the blob at
    46a10bb); past the outline across the band's end it goes, and so does the sliver at the
    shadow's tip, where the blob's own edge is a soft 5 px ramp (17 px at cd361b2)."""
    photo, cut = _cut_truth_photo(16, 2026, tmp_path)
    assert photo.material == "metallic" and photo.shadow == "cast"
    assert _off_the_product(photo, cut) <= 5
    assert _inside_lost(photo, cut) < 0.005


@pytest.mark.parametrize(("index", "seed", "most_off"), [(17, 2026, 20), (16, 3, 150)], ids=["star", "blob"])
def test_a_thin_wedge_of_cast_shadow_along_a_metal_s_edge_goes(
    index: int, seed: int, most_off: int, tmp_path: Path
) -> None:
    """bench-quality's metal star on a vertical gradient (seed 2026) and metal blob on light grey
    (held-out seed 3): a wedge of the cast shadow along an edge, up to 16 px wide, in the tone of
    the metal's shading there, one piece with the metal. The piece's inside past the penumbra was
    mostly metal, its median factor and tint the metal's, and the wedge stayed: 604 and 449 px of
    the cut-out over 3 px off the product at bb74810 (2,225 and 2,346 impure output px). Read
    again by the peak of those factors and the tint just inside the penumbra, it goes (5 and 96),
    and the metal keeps its inside."""
    photo, cut = _cut_truth_photo(index, seed, tmp_path)
    assert photo.material == "metallic" and photo.shadow == "cast"
    assert _off_the_product(photo, cut) <= most_off
    assert _inside_lost(photo, cut) < 0.003


def test_a_metal_star_keeps_neither_its_shadow_s_penumbra_at_a_tip_nor_a_thin_wedge_along_an_arm(
    tmp_path: Path,
) -> None:
    """bench-quality's metal star on a radial sweep (seed 2026). At a tip, where the split between
    the star and its shadow ran along the penumbra's slope, the slope's lighter half stayed with
    the star, kept off the outline by the sweep the mask overshot beyond it. Along an arm a wedge
    of the cast shadow, up to 7 px wide and all penumbra, was one piece with the arm, 125 of its
    959 outline px soft: never looked into, and read alone it did not darken evenly (0.052
    between its deepest pixels' quartiles). 547 px of the cut-out over 3 px off the star at
    092756c, 403 with the penumbra's end gone, 89 with the wedge gone too: the lit sweep between
    the tip and its shadow, which the mask held with the penumbra's lighter end, 102 px over 2 px
    off. Read apart from the tip's shadow-coloured rim it is bare sweep and goes too (2 px), and
    the star loses no more of its inside than it did (bites where a peeled piece took metal in
    its shadow's tone)."""
    photo, cut = _cut_truth_photo(53, 2026, tmp_path)
    assert photo.material == "metallic" and photo.shadow == "cast"
    assert _off_the_product(photo, cut, beyond_px=2) <= 5
    assert _inside_lost(photo, cut) < 0.012


def test_a_light_grey_blob_keeps_no_sliver_of_its_shadow_along_its_sharp_edge(tmp_path: Path) -> None:
    """bench-quality's light-grey blob on fabric (seed 2026): its cast shadow was peeled but for a
    strip 3-6 px wide along its side, where the shadow tapers into the blob's edge with no valley
    between two edges to split along. The blob's outline there is sharp: flooded from outside the
    mask and from the blob over the brightness slope, the strip falls on the outside and goes (17
    px of the cut-out over 3 px off the blob at d320f3c, 235 impure output px), and the blob keeps
    its inside."""
    photo, cut = _cut_truth_photo(34, 2026, tmp_path)
    assert photo.shape == "blob" and photo.material == "light-grey" and photo.backdrop == "fabric"
    assert _off_the_product(photo, cut) <= 8
    assert _inside_lost(photo, cut) < 0.001


@pytest.mark.parametrize("seed", [2026, 3])
def test_a_light_grey_blob_keeps_no_line_of_its_shadow_where_the_shadow_meets_its_edge(
    seed: int, tmp_path: Path
) -> None:
    """bench-quality's light-grey blob on fabric (seed 2026 and held-out seed 3): where its cast
    shadow meets its edge, at the tip of the shadow peeled and in a notch of its outline apart from
    it, the shadow's darkest line runs along the blob's edge, darker than the blob and the fabric,
    and the mask held it with a few px of its penumbra beyond. Flooded from outside over the
    slope, the two sides met on the penumbra's steeper slope, past the line: 25 and 10 px of the
    cut-out over 2 px off the blob (99 and 66 impure output px). Flooded from the line too, they
    meet on the blob's edge."""
    photo, cut = _cut_truth_photo(34, seed, tmp_path)
    assert photo.shape == "blob" and photo.material == "light-grey" and photo.backdrop == "fabric"
    assert _off_the_product(photo, cut, beyond_px=2) <= 3
    assert _inside_lost(photo, cut) < 0.001


def test_a_white_ring_on_a_table_is_parted_from_its_cast_shadow(tmp_path: Path) -> None:
    """bench-quality's white ring on the wooden table (seed 7): its shadow is one shadow-coloured
    piece, beside a chain of shadow-coloured pixels along the ring's edge that the cut along that
    edge parts from it. Given back to the piece only as far as the cut reaches (9 px), the shadow
    still darkens evenly and goes; a prototype that flooded the cut from the pieces along the
    whole chain took the shadow off its even darkening, and it stayed (IoU 0.37)."""
    photo, cut = _cut_truth_photo(33, 7, tmp_path)
    assert photo.shape == "ring" and photo.material == "white" and photo.backdrop == "table"
    alpha = cut.mask.alpha
    truth = cv2.resize(photo.alpha, alpha.shape[::-1], interpolation=cv2.INTER_AREA) >= 128
    assert iou(alpha >= 0.5, truth) > 0.97


def test_a_light_grey_star_a_level_off_its_shadow_keeps_its_middle(tmp_path: Path) -> None:
    """bench-quality's light-grey star on white (seed 3): star and cast shadow darken the sweep by
    0.791 and 0.795, one shadow-coloured piece, soft outline on the shadow's side and sharp on the
    star's. Split over the slope after a 1 px blur, the shadow's side came in at the notch between
    the star's lower arms and took a blob from the star's middle, 10% of it; the line after a 2 px
    blur runs on the star's edge and is kept for running on a steeper one."""
    photo, cut = _cut_truth_photo(35, 3, tmp_path)
    assert photo.shape == "star" and photo.material == "light-grey" and photo.backdrop == "white"
    assert _inside_lost(photo, cut) < 0.005


def test_a_light_grey_star_s_shadow_between_two_of_its_legs_goes(tmp_path: Path) -> None:
    """bench-quality's light-grey star on white (seed 3): between its two lower legs the cast
    shadow runs on under the star's outline in the star's own tone (0.795 of the sweep, the star
    3.7 levels bluish off it). The penumbra at the shadow's foot was peeled alone and the shadow
    above it stayed with the star: 12,975 px of the cut-out over 3 px off the star at 7d8693d
    (14,110 impure output px). Looked for as the peeled shadow running on, bounded by the star's
    tint, it goes."""
    photo, cut = _cut_truth_photo(35, 3, tmp_path)
    assert photo.shape == "star" and photo.material == "light-grey" and photo.shadow == "cast"
    assert _off_the_product(photo, cut) <= 50
    assert _inside_lost(photo, cut) < 0.005


@pytest.mark.parametrize("seed, most_off", [(1, 50), (5, 300)])
def test_a_wedge_of_cast_shadow_beside_a_light_grey_star_goes_back_to_its_darkest_line(
    seed: int, most_off: int, tmp_path: Path
) -> None:
    """bench-quality's light-grey star on white (held-out seeds 1 and 5): a wedge of its cast shadow
    beside an arm is one shadow-coloured piece with the star, and no factor of darkening parts them.
    Across the mask's edge there the tone runs sweep, penumbra down to the shadow's floor, a step up
    to the star: the mask goes back to the floor (stages/valley.py). Off the star by over 3 px at
    04ff90c: 422 and 1,031 working px; now 5 and 192 (seed 5 keeps a bulb at the wedge's end)."""
    photo, cut = _cut_truth_photo(35, seed, tmp_path)
    assert photo.shape == "star" and photo.material == "light-grey" and photo.shadow == "cast"
    assert float(cut.metrics["shadow_valley_removed_share"]) > 0.001
    assert _off_the_product(photo, cut) <= most_off
    assert _inside_lost(photo, cut) < 0.001


def test_a_tab_of_shadow_whose_edge_on_the_fabric_is_the_shadow_s_rim_goes_with_the_shadow(tmp_path: Path) -> None:
    """bench-quality's light-grey blob on fabric (held-out seed 11), its cast shadow in its own grey:
    where the shadow's rim meets the blob, the split's line wandered into the shadow and left a tab
    of it, 1,350 working px, with the blob. The tab touched the lit fabric along 25 px, the
    shadow's penumbra, and counted as a part with an outline of its own (a grey part of the
    product would have one) until only a sharp step counts as such (9 px of the 25): 4,934 impure
    output px, now none past the blob's edge."""
    photo, cut = _cut_truth_photo(34, 11, tmp_path)
    assert photo.shape == "blob" and photo.material == "light-grey" and photo.backdrop == "fabric"
    assert _off_the_product(photo, cut) <= 50
    assert _inside_lost(photo, cut) < 0.001


def test_a_metal_s_bands_in_its_shadow_s_tone_are_not_peeled_with_the_strip_of_shadow_below_them(
    tmp_path: Path,
) -> None:
    """bench-quality's metal star on a vertical gradient (held-out seed 5): two of its vertical
    bands are in its shadow's tone down to the strip of shadow below the star, with no step between,
    and the cut along sharp edges left bands and strip one piece. Its outline on the sweep is all
    the strip's soft edge, so it was peeled whole: 36.1% of the star's inside lost (IoU 0.6381),
    re-check 100. Past the shadow found within it, the bands darken the sweep unevenly, as a
    metal's shading does, and stay; the strip goes."""
    photo, cut = _cut_truth_photo(17, 5, tmp_path)
    assert photo.shape == "star" and photo.material == "metallic" and photo.backdrop == "vertical-gradient"
    assert _inside_lost(photo, cut) < 0.05
    assert _off_the_product(photo, cut) <= 250


def test_a_wedge_of_shadow_lighter_than_the_metal_beside_it_goes(tmp_path: Path) -> None:
    """bench-quality's metal star on a radial sweep (held-out seed 5): along one arm a wedge of its
    cast shadow, a few penumbras wide, darkens the sweep by 0.64, and the star's band beside it,
    across a sharp step, by 0.58; the two were one shadow-coloured piece. The shadow was read by
    the piece's inside, mostly the band, and not found: the wedge stayed, 787 alpha px more than
    3 px off the star (654 impure output px). Read again by the factor most common just inside
    the wedge's soft outline, it goes."""
    photo, cut = _cut_truth_photo(53, 5, tmp_path)
    assert photo.shape == "star" and photo.material == "metallic" and photo.shadow == "cast"
    assert _off_the_product(photo, cut) <= 100
    assert _inside_lost(photo, cut) < 0.001


def test_a_strap_too_faint_for_the_photo_s_noise_loses_the_mask_s_overreach(tmp_path: Path) -> None:
    """bench-quality's light-grey bag on light grey (held-out seed 5): its strap, 9-12 px wide,
    stands 8.1 levels out of the sweep, under the 12 a thin part is read at, so the classical
    mask's binary edge stayed, 4-6 px out along it: 82 alpha px more than 3 px off the bag (783
    impure output px). Read on the averaged photo, inside the mask, the overreach goes."""
    photo, cut = _cut_truth_photo(58, 5, tmp_path)
    assert photo.shape == "bag" and photo.material == "light-grey" and photo.backdrop == "light-grey"
    assert _off_the_product(photo, cut) <= 20
    assert _inside_lost(photo, cut) < 0.001


def test_a_white_ring_on_a_wavy_table_is_cut_out_whole_and_passes_the_re_check(tmp_path: Path) -> None:
    """bench-quality's white ring on a wavy table (held-out seed 5): the model's mask holds the ring
    and the table around it and in its hole, and the ring's shaded side lies within the table's
    grain of its tan. The first look took that side as table with the rest (IoU 0.5374, 38% of the
    ring lost) until its tint kept it (matte's `_tinted_parts`); the good cut-out, its lit half
    clipped to white beside its flat grey half, then failed the re-check as a hard drop shadow
    (score 82) until a shadow had to meet the product along an outline (HARD_SHADOW_MIN_MEET_SHARE)."""
    photo, cut = _cut_truth_photo(33, 5, tmp_path)
    assert photo.shape == "ring" and photo.material == "white" and photo.backdrop == "table"
    assert _inside_lost(photo, cut) < 0.001
    assert _off_the_product(photo, cut) <= 50
    (tmp_path / "raw").mkdir()
    (tmp_path / photo.name).rename(tmp_path / "raw" / photo.name)
    done = aefix("run", str(tmp_path / "raw"), str(tmp_path / "out"), "-q")
    assert done.returncode == 0, done.stderr
    (item,) = json.loads((tmp_path / "out" / "aefix-report.json").read_text())["items"]
    assert item["verdict"] == "pass" and "background.shadow" not in [f["code"] for f in item["findings"]], item


def test_a_faint_white_star_the_network_found_half_of_is_cut_out_whole(tmp_path: Path) -> None:
    """bench-quality's white star on light grey (held-out seed 3), 3 levels off the sweep: the model
    saw its cast shadow and half the star. The rest ran on too faint, pixel by pixel, to ask for a
    second look; asked, the network drew that half and the shadow as one part, half shadow, which
    counted for nothing (IoU 0.4716, 50.5% of the star lost) until its pieces that are not
    shadow-coloured did (`_not_shadow_coloured`)."""
    photo, cut = _cut_truth_photo(44, 3, tmp_path)
    assert photo.shape == "star" and photo.material == "white" and photo.backdrop == "light-grey"
    assert cut.method == "classic+u2netp+faint" and cut.metrics["second_look"] == "added"
    truth = cv2.resize(photo.alpha, cut.mask.alpha.shape[::-1], interpolation=cv2.INTER_AREA) >= 128
    assert iou(cut.mask.alpha >= 0.5, truth) >= 0.92, iou(cut.mask.alpha >= 0.5, truth)
    assert _inside_lost(photo, cut) < 0.05
    assert _off_the_product(photo, cut) <= 600, _off_the_product(photo, cut)  # 401 px, its tips' rims


def test_a_white_ball_whose_dim_side_the_network_left_out_is_cut_out_whole(tmp_path: Path) -> None:
    """bench-quality's white ball on light grey (held-out seed 5, 1500 x 2000): its dim side, 4 levels
    off the sweep, was left out (IoU 0.9131, 5.9% of the ball lost). What runs on from the first look
    measured 0.6% of the frame, under the 1% a second look then asked for. The first look had run
    over the sweep at the ball's other side too (11,517 impure output px), which the second look
    holds none of."""
    photo, cut = _cut_truth_photo(20, 5, tmp_path)
    assert photo.shape == "ball" and photo.material == "white" and photo.backdrop == "light-grey"
    assert cut.method == "classic+u2netp+faint" and cut.metrics["second_look"] == "added"
    truth = cv2.resize(photo.alpha, cut.mask.alpha.shape[::-1], interpolation=cv2.INTER_AREA) >= 128
    assert iou(cut.mask.alpha >= 0.5, truth) >= 0.99, iou(cut.mask.alpha >= 0.5, truth)  # 0.9963
    assert _inside_lost(photo, cut) < 0.01
    assert _off_the_product(photo, cut) <= 100, _off_the_product(photo, cut)  # 0


def test_a_light_grey_cable_asks_for_no_second_look(tmp_path: Path) -> None:
    """bench-quality's light-grey cable on a vertical gradient (held-out seed 7): its first look is
    shadow-coloured, and apart from it the gradient's faint misfit covers 0.04% of the frame, off
    the smooth model; read on the averaged copy, as the rest of a product found in part is, 0.10%,
    and the network was asked again for nothing (0.45-0.65 s)."""
    photo, cut = _cut_truth_photo(59, 7, tmp_path)
    assert photo.shape == "cable" and photo.material == "light-grey"
    assert "second_look" not in cut.metrics, cut.metrics
    assert cut.method == "classic+u2netp"


def test_the_report_names_the_mask_each_image_got(tmp_path: Path) -> None:
    from photoset import make_truth_photo

    sweep = make_truth_photo(1, 2026, size=(1200, 900), encoding="jpeg")  # a box on an off-white sweep
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / sweep.name).write_bytes(sweep.data)
    room = "motorcycle-garage.jpg"  # a real photo: a motorcycle in a garage, no sweep anywhere
    shutil.copy(EXAMPLES / room, tmp_path / "raw" / room)
    methods = {}
    for choice in ("auto", "ai"):
        done = aefix("run", str(tmp_path / "raw"), str(tmp_path / choice), "-q", "--segmenter", choice)
        assert done.returncode in (0, 1), done.stderr
        report = json.loads((tmp_path / choice / "aefix-report.json").read_text())
        methods[choice] = {Path(item["source"]).name: item["segmenter"] for item in report["items"]}
    assert methods["auto"] == {sweep.name: "classic+u2netp", room: "u2netp"}
    assert methods["ai"] == {sweep.name: "u2netp", room: "u2netp"}
    assert "mask by classic+u2netp" in (tmp_path / "auto" / "report.html").read_text()


def test_a_worker_imports_rembg_sessions_without_its_matting_stack() -> None:
    """rembg's package __init__ pulls numba, pymatting and scikit-image (~180 MB) that aefix never
    calls, and its sessions package every other model's session (SAM's brings scipy.ndimage)."""
    unwanted = ("numba", "pymatting", "skimage", "scipy", "rembg.sessions.sam", "rembg.sessions.u2net")
    code = (
        "import sys; from pathlib import Path; from aefix.segment import RembgSegmenter; "
        f"RembgSegmenter('u2netp', Path({str(ROOT / 'models')!r})); "
        f"print(sorted(m for m in {unwanted!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_photo_with_no_product_goes_to_review_and_a_real_object_does_not(tmp_path: Path) -> None:
    """u2netp on a real texture photo (scikit-image's gravel) marks a dozen specks it is not sure of;
    the cut-out, specks upscaled on white, passes the re-check at 100, and goes to review for it."""
    from skimage import data

    (tmp_path / "raw").mkdir()
    Image.fromarray(data.gravel()).save(tmp_path / "raw" / "gravel.png")
    shutil.copy(EXAMPLES / "coffee-on-table.jpg", tmp_path / "raw" / "coffee.jpg")
    done = aefix("run", str(tmp_path / "raw"), str(tmp_path / "out"), "-q")
    assert done.returncode == 1, done.stderr  # some need review: the gravel, passed by the re-check
    report = json.loads((tmp_path / "out" / "aefix-report.json").read_text())
    items = {Path(item["source"]).name: item for item in report["items"]}
    gravel, coffee = items["gravel.png"], items["coffee.jpg"]
    assert gravel["segmenter"] == coffee["segmenter"] == "u2netp"
    assert gravel["status"] == "needs-review" and gravel["score"] == 100.0
    assert gravel["metrics"]["network_sure_share"] < 0.1
    assert (tmp_path / "out" / "_review" / "gravel.jpg").is_file()
    assert any(note.startswith("the model is unsure what the product is") for note in gravel["notes"])
    assert coffee["status"] == "ok" and coffee["metrics"]["network_sure_share"] > 0.9


def test_a_row_of_coins_is_not_read_as_added_text(tmp_path: Path) -> None:
    """scikit-image's coins: on the cut-out, the OCR reads the top row of six coins as '690600'
    (confidence 0.77), a line over the white between them, and the re-check failed it as text
    added on the background (-25, to review). The coins are the set's own pieces, not glyphs."""
    from skimage import data

    (tmp_path / "raw").mkdir()
    Image.fromarray(data.coins()).save(tmp_path / "raw" / "coins.jpg", quality=92)
    done = aefix("run", str(tmp_path / "raw"), str(tmp_path / "out"), "-q")
    assert done.returncode == 0, done.stderr
    (item,) = json.loads((tmp_path / "out" / "aefix-report.json").read_text())["items"]
    assert item["status"] == "ok" and item["score"] == 100.0
    assert not [finding for finding in item["findings"] if finding["code"].startswith("text.")]
    assert item["metrics"]["text_lines"] == 0


@pytest.mark.parametrize(("index", "shape"), [(42, "ring"), (16, "blob")], ids=["ring-hole", "cast-shadow"])
def test_on_a_dark_backdrop_the_network_s_filled_hole_and_shadow_go(index: int, shape: str, tmp_path: Path) -> None:
    """bench-quality-dark's glass ring and metal blob (seed 2026): on a plain dark or coloured
    backdrop u2netp fills the ring's hole and takes the blob's cast shadow (IoU 0.4715 and 0.7505,
    `--segmenter ai`). `auto` takes them out of its mask as bare backdrop and a shadow, as the
    classic mask does on a light sweep."""
    photo, ai = _cut_truth_photo(index, 2026, tmp_path, dark=True, segmenter_choice="ai")
    assert photo.shape == shape and photo.backdrop.startswith("dark-") and photo.shadow == "cast"
    assert ai.method == "u2netp"
    assert iou(ai.mask.alpha >= 0.5, photo.alpha >= 128) < 0.8
    photo, cut = _cut_truth_photo(index, 2026, tmp_path, dark=True)
    assert cut.method == "u2netp+plain"
    assert iou(cut.mask.alpha >= 0.5, photo.alpha >= 128) >= 0.99
    assert _off_the_product(photo, cut) <= 50
    assert _inside_lost(photo, cut) < 0.001
    # The report says what went, in both languages, and no longer that shadows could not be judged.
    from aefix.messages import is_translated, translate

    too_dark = "shadow cleanup skipped: background too dark for shadow detection"
    assert too_dark in ai.notes and too_dark not in cut.notes
    assert float(cut.metrics["plain_removed_share"]) > 0.1
    (note,) = [note for note in cut.notes if note.startswith("bare backdrop and shadows the model took in removed: ")]
    assert is_translated(note) and translate(note, "zh") != note
