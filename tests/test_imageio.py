import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from aefix.errors import DecodeError, ImageLimitError
from aefix.imageio import load_image, sniff_format, write_atomic
from aefix.settings import Settings


def _save(path: Path, image: Image.Image, **options: object) -> Path:
    image.save(path, **options)
    return path


def test_exif_orientation_is_applied(tmp_path: Path, settings: Settings) -> None:
    upright = np.zeros((60, 100, 3), np.uint8)
    upright[:, :50] = (255, 0, 0)  # red on the left when upright
    exif = Image.Exif()
    exif[0x0112] = 6
    stored = Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90)
    loaded = load_image(_save(tmp_path / "r.png", stored, exif=exif), settings)
    assert loaded.size == (100, 60)
    assert (loaded.rgb[:, :40, 0] == 255).all() and (loaded.rgb[:, 60:, 0] == 0).all()
    assert "EXIF orientation 6 applied" in loaded.notes


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path, settings: Settings) -> None:
    cmyk = Image.new("CMYK", (64, 64), (0, 255, 255, 0))  # pure red in CMYK
    loaded = load_image(_save(tmp_path / "c.jpg", cmyk, quality=95), settings)
    assert loaded.rgb.shape == (64, 64, 3)
    red, green, blue = loaded.rgb[32, 32].astype(int)
    assert red > 230 and green < 30 and blue < 30


def test_palette_png_with_transparency_gives_mask(tmp_path: Path, settings: Settings) -> None:
    image = Image.new("P", (50, 50), 0)
    image.putpalette([255, 255, 255, 0, 128, 0] + [0] * 762)
    image.paste(1, (10, 10, 40, 40))
    loaded = load_image(_save(tmp_path / "p.png", image, transparency=0), settings)
    assert loaded.alpha is not None
    assert (loaded.alpha[10:40, 10:40] == 255).all() and loaded.alpha[0, 0] == 0
    assert tuple(loaded.rgb[20, 20]) == (0, 128, 0)


def test_la_and_16bit_grey(tmp_path: Path, settings: Settings) -> None:
    la = Image.merge("LA", (Image.new("L", (40, 40), 100), Image.new("L", (40, 40), 255)))
    assert load_image(_save(tmp_path / "la.png", la), settings).alpha is None  # fully opaque: no mask
    sixteen = Image.fromarray(np.full((40, 40), 65535 // 2, np.uint16))
    loaded = load_image(_save(tmp_path / "g16.png", sixteen), settings)
    assert abs(int(loaded.rgb[0, 0, 0]) - 128) <= 1
    assert "16-bit image reduced to 8 bits" in loaded.notes


def test_icc_tagged_image_is_converted(tmp_path: Path, settings: Settings) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = Image.new("RGB", (32, 32), (10, 200, 90))
    loaded = load_image(_save(tmp_path / "icc.png", image, icc_profile=srgb), settings)
    assert "ICC profile converted to sRGB" in loaded.notes
    assert np.abs(loaded.rgb[0, 0].astype(int) - (10, 200, 90)).max() <= 2


def test_animated_gif_uses_first_frame(tmp_path: Path, settings: Settings) -> None:
    frames = [Image.new("RGB", (40, 40), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    path = tmp_path / "a.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    loaded = load_image(path, settings)
    assert loaded.rgb[0, 0, 0] > 200 and "animated (2 frames): first frame used" in loaded.notes


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"empty file \(0 bytes\)"),
        (b"<!DOCTYPE html><html><body>404</body></html>", "not an image"),
        (bytes(np.random.default_rng(0).integers(0, 255, 4096, dtype=np.uint8)), "not an image"),
    ],
)
def test_non_images_are_refused_with_a_reason(tmp_path: Path, settings: Settings, content: bytes, message: str) -> None:
    path = tmp_path / "x.png"
    path.write_bytes(content)
    with pytest.raises(DecodeError, match=message):
        load_image(path, settings)


def test_truncated_jpeg(tmp_path: Path, settings: Settings) -> None:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), dtype=np.uint8)).save(buffer, "JPEG")
    path = tmp_path / "t.jpg"
    path.write_bytes(buffer.getvalue()[:3000])
    with pytest.raises(DecodeError, match="cannot decode jpeg"):
        load_image(path, settings)


def test_pixel_limit_and_tiny_images(tmp_path: Path) -> None:
    path = _save(tmp_path / "big.png", Image.new("RGB", (2000, 2000), "white"))
    with pytest.raises(ImageLimitError, match="over the 1 MP limit"):
        load_image(path, Settings(max_pixels=1_000_000))
    with pytest.raises(ImageLimitError, match="1x1 px"):
        load_image(_save(tmp_path / "one.png", Image.new("RGB", (1, 1))), Settings())


@pytest.mark.parametrize("megapixels", [4, 9])
def test_a_decompression_bomb_is_refused_naming_its_size_and_aefix_s_limit(tmp_path: Path, megapixels: int) -> None:
    """Pillow refuses past its limit (warning from 1x, error from 2x): the message gives the image's
    size and aefix's limit, not Pillow's doubled one ("exceeds limit of 4000000 pixels")."""
    from aefix.messages import is_translated

    side = int((megapixels * 1_000_000) ** 0.5)
    path = _save(tmp_path / "bomb.png", Image.new("1", (side, side)))
    with pytest.raises(ImageLimitError) as refused:
        load_image(path, Settings(max_pixels=2_000_000))
    message = str(refused.value)
    assert message == f"decompression bomb refused: {side * side / 1e6:.0f} MP, over the 2 MP limit"
    assert is_translated(message)


def test_a_jpeg_over_the_pixel_limit_is_taken_when_its_draft_decodes_under_it(tmp_path: Path) -> None:
    """The limit is on what is decoded: a JPEG decodes scaled down (DCT draft) to the work size, so a
    108 MP phone photo costs what a 7 MP one does. A PNG as large is decoded in full: refused."""
    picture = Image.new("RGB", (2000, 1500), (228, 228, 228))
    picture.paste((40, 60, 160), (600, 400, 1400, 1100))
    small_work = Settings(max_pixels=1_000_000, work_max_side_px=400)
    loaded = load_image(_save(tmp_path / "phone.jpg", picture, quality=90), small_work)
    assert loaded.rgb.shape[:2] == (300, 400)
    assert "decoded at 500x375 (JPEG draft) from 2000x1500" in loaded.notes
    with pytest.raises(ImageLimitError, match="decompression bomb refused: 3 MP, over the 1 MP limit"):
        load_image(_save(tmp_path / "scan.png", picture), small_work)
    # Worked on at 2000 px, the same JPEG is decoded whole: 3 MP, over the limit.
    with pytest.raises(ImageLimitError, match="image is 2000x1500 = 3 MP, over the 1 MP limit"):
        load_image(tmp_path / "phone.jpg", Settings(max_pixels=1_000_000, work_max_side_px=2000))


def test_a_narrow_image_is_refused_with_the_file_s_own_size(tmp_path: Path) -> None:
    from aefix.messages import is_translated

    # 60 px is enough, but reduced to the 2000 px working size the strip is 30 px tall: the
    # message used to give only "2000x30", a size the file does not have.
    strip = _save(tmp_path / "strip.jpg", Image.new("RGB", (4000, 60), (200, 40, 40)))
    with pytest.raises(ImageLimitError) as refused:
        load_image(strip, Settings())
    message = str(refused.value)
    assert message == "image is 4000x60 px, 2000x30 px at the working size; each side needs at least 32 px"
    assert is_translated(message)
    # Under the minimum as it is: refused from the header, with the file's size.
    with pytest.raises(ImageLimitError, match=r"^image is 3000x20 px; each side needs at least 32 px$"):
        load_image(_save(tmp_path / "thin.png", Image.new("RGB", (3000, 20))), Settings())
    assert load_image(_save(tmp_path / "wide.png", Image.new("RGB", (1900, 40))), Settings()).size == (1900, 40)


def test_sniff_format_reads_bytes_not_names() -> None:
    assert sniff_format(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff_format(b"\xff\xd8\xff\xe0") == "jpeg"
    assert sniff_format(b"<html>") is None


def test_write_atomic_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.jpg"
    write_atomic(target, b"abc")
    write_atomic(target, b"defg")
    assert target.read_bytes() == b"defg"
    assert [p.name for p in target.parent.iterdir()] == ["out.jpg"]


def test_large_photos_are_reduced_to_the_working_size_without_aliasing(tmp_path: Path) -> None:
    settings = Settings()  # a 1000 px output: worked on at 2000 px at most
    # A one-pixel checkerboard on the left half: any resampler that skips pixels shows it as stripes
    # or flat black/white; an antialiased one as mid grey. The right half is a flat colour.
    board = np.zeros((2400, 3000, 3), np.uint8)
    board[:, :1500] = ((np.indices((2400, 1500)).sum(axis=0) % 2) * 255)[:, :, None]
    board[:, 1500:] = (30, 120, 200)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the reduced copy is still turned upright
    loaded = load_image(_save(tmp_path / "board.png", Image.fromarray(board), exif=exif), settings)
    assert loaded.size == (1600, 2000) and "worked on at 2000x1600 from 3000x2400" in loaded.notes
    upright = np.rot90(loaded.rgb, 1)  # undo orientation 6 to compare with the stored layout
    pattern, flat = upright[10:-10, 10:990].astype(int), upright[10:-10, 1010:-10].astype(int)
    assert abs(pattern.mean() - 127.5) < 2 and pattern.std() < 30
    assert (np.abs(flat - (30, 120, 200)) <= 1).all()
    flat_wide = Image.fromarray(board[:, 1500:].repeat(3, axis=1))
    jpeg = _save(tmp_path / "wide.jpg", flat_wide.crop((0, 0, 4400, 2400)), quality=95)
    loaded = load_image(jpeg, settings)  # 4400x2400: decoded at half size by the JPEG draft, then reduced
    assert loaded.size == (2000, 1091)
    assert loaded.notes == ["decoded at 2200x1200 (JPEG draft) from 4400x2400", "worked on at 2000x1091 from 4400x2400"]
    assert (np.abs(loaded.rgb.astype(int)[5:-5, 5:-5] - (30, 120, 200)) <= 3).all()
    # A phone's 4032 px JPEG: its half-size draft, 0.8% over 2000 px, is worked on as it is.
    loaded = load_image(_save(tmp_path / "phone.jpg", flat_wide.crop((0, 0, 4032, 2400)), quality=95), settings)
    assert loaded.size == (2016, 1200) and loaded.notes == ["decoded at 2016x1200 (JPEG draft) from 4032x2400"]
