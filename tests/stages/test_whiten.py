import numpy as np

from aefix.settings import Settings
from aefix.stages.crop import CanvasLayers, crop_to_canvas
from aefix.stages.whiten import fill_white


def _disc(size: int, radius: float) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size]
    distance = np.hypot(yy - size / 2, xx - size / 2)
    return np.clip(radius - distance + 0.5, 0, 1).astype(np.float32)  # antialiased edge


def test_edge_is_product_over_white_never_old_background():
    # A pure red product photographed on mid grey: a straight-alpha resize would mix grey into the
    # edge. Premultiplied compositing keeps red at 255 in every edge pixel (red over white).
    alpha = _disc(600, 200)
    rgb = np.full((600, 600, 3), 128, np.uint8)
    rgb[alpha > 0] = (255, 0, 0)
    out = fill_white(crop_to_canvas(rgb, alpha, Settings(size_px=500)))
    assert (out[:, :, 0] == 255).all()
    edge = (out[:, :, 1] > 0) & (out[:, :, 1] < 255)
    assert edge.sum() > 100
    assert np.abs(out[edge][:, 1].astype(int) - out[edge][:, 2].astype(int)).max() <= 1  # no grey cast


def test_every_transparent_pixel_is_exactly_white():
    alpha = _disc(300, 90)
    rgb = np.random.default_rng(0).integers(0, 255, (300, 300, 3), dtype=np.uint8)
    layers = crop_to_canvas(rgb, alpha, Settings(size_px=1000))
    out = fill_white(layers)
    transparent = layers.alpha == 0
    assert transparent.sum() > 400_000
    assert (out[transparent] == 255).all()


def test_fill_rounds_half_levels_to_even_and_clips_like_numpy():
    # The fill is done by OpenCV's saturating add; its bytes must be numpy's rint-clip-cast ones,
    # half levels included (a premultiplied 127.5 over no white is 128, 126.5 is 126).
    rng = np.random.default_rng(5)
    alpha = rng.uniform(0.0, 1.0, (64, 80)).astype(np.float32)
    alpha[:4] = np.array([0.0, 1e-3, 1.0, 0.5])[:, None]  # rows: transparent, under half a level, opaque, half
    premultiplied = (rng.uniform(0, 255, (64, 80, 3)) * alpha[:, :, None]).astype(np.float32)
    premultiplied[2, :6, 0] = [126.5, 127.5, 0.5, 1.5, 254.5, 255.0]
    layers = CanvasLayers(premultiplied, alpha, 1.0, (0, 0, 80, 64))
    expected = np.clip(np.rint(premultiplied + 255.0 * (1.0 - alpha[:, :, None])), 0, 255).astype(np.uint8)
    expected[alpha < 0.5 / 255.0] = 255
    out = fill_white(layers)
    assert out.dtype == np.uint8 and np.array_equal(out, expected)
    assert list(out[2, :6, 0]) == [126, 128, 0, 2, 254, 255]
    assert (out[:2] == 255).all()
