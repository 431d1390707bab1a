import numpy as np
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from aefix.settings import Settings
from aefix.stages.crop import CanvasLayers, crop_to_canvas, product_box
from aefix.stages.whiten import fill_white


def _fraction(low: float, high: float) -> st.SearchStrategy[float]:
    # No subnormals: once a test has run the model, this thread flushes them to zero (segment.py),
    # and hypothesis refuses to draw them then.
    return st.floats(low, high, allow_subnormal=False)


@hsettings(max_examples=60, deadline=None)
@given(
    width=st.integers(40, 700),
    height=st.integers(40, 700),
    box=st.tuples(_fraction(0, 0.9), _fraction(0, 0.9), _fraction(0.05, 1), _fraction(0.05, 1)),
    size=st.sampled_from([200, 333, 1000]),
    margin=st.sampled_from([0.0, 0.075, 0.2]),
)
def test_product_is_whole_centred_and_fills_the_margin(width, height, box, size, margin):
    x0, y0 = int(box[0] * width), int(box[1] * height)
    x1 = min(width, x0 + max(1, int(box[2] * width)))
    y1 = min(height, y0 + max(1, int(box[3] * height)))
    alpha = np.zeros((height, width), np.float32)
    alpha[y0:y1, x0:x1] = 1.0
    rgb = np.full((height, width, 3), 90, np.uint8)
    layers = crop_to_canvas(rgb, alpha, Settings(size_px=size, margin_ratio=margin))

    assert layers.premultiplied.shape == (size, size, 3)
    left, top, right, bottom = layers.box
    assert left >= 0 and top >= 0 and right <= size and bottom <= size  # never cut
    target = size * (1 - 2 * margin)
    assert abs(max(right - left, bottom - top) - target) <= 1.0  # longer side fills the margin
    assert abs(left - (size - right)) <= 1 and abs(top - (size - bottom)) <= 1  # centred
    out = fill_white(layers)
    outside = np.ones((size, size), bool)
    outside[top:bottom, left:right] = False
    assert (out[outside] == 255).all()


def test_product_box_uses_every_nonzero_alpha():
    alpha = np.zeros((50, 80), np.float32)
    alpha[10:20, 30:41] = 0.2
    alpha[45, 2] = 0.01
    assert product_box(alpha) == (2, 10, 41, 46)


def test_small_product_is_upscaled_and_reported_by_scale():
    alpha = np.zeros((400, 400), np.float32)
    alpha[100:200, 150:250] = 1.0
    layers = crop_to_canvas(np.zeros((400, 400, 3), np.uint8), alpha, Settings(size_px=1000, margin_ratio=0.075))
    assert layers.scale == 8.5
    assert layers.box == (75, 75, 925, 925)


def test_upscaled_edge_leaves_no_faint_tail_on_the_backdrop():
    # An anti-aliased disc (as the matte leaves it) upscaled x2.5: cubic resampling spreads its
    # alpha two source pixels further, which would grey the white backdrop 5 output px out.
    yy, xx = np.mgrid[0:340, 0:340].astype(np.float32)
    alpha = np.clip(150.5 - np.hypot(yy - 169.5, xx - 169.5), 0.0, 1.0)
    photo = np.full((340, 340, 3), 40, np.uint8)
    layers = crop_to_canvas(photo, alpha, Settings(size_px=1000, margin_ratio=0.075), matted=True)
    assert 2.8 < layers.scale < 2.9
    final = fill_white(layers)
    radius = 150.5 * layers.scale
    centre = (layers.box[0] + layers.box[2] - 1) / 2
    yy, xx = np.mgrid[0:1000, 0:1000].astype(np.float32)
    beyond = np.hypot(yy - centre, xx - centre) > radius + 2
    assert beyond.sum() > 200_000
    assert int((final[beyond] != 255).any(axis=1).sum()) == 0
    # and the edge itself stays anti-aliased, not cut to a hard step
    edge = (layers.alpha > 0.1) & (layers.alpha < 0.9)
    assert edge.sum() > 2000


def _disc(radius: float, side: int) -> np.ndarray:
    """A disc's alpha with a one-pixel anti-aliased edge, as the matte leaves a sharp outline."""
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    return np.clip(radius - np.hypot(yy - (side - 1) / 2, xx - (side - 1) / 2), 0.0, 1.0)


def test_upscaled_edge_is_as_sharp_on_the_canvas_as_in_the_photo():
    # The disc's edge is one source pixel wide; upscaled x2.83 it would be 2.83 output px of part-grey.
    alpha = _disc(150.5, 340)
    photo = np.full((340, 340, 3), 40, np.uint8)
    settings = Settings(size_px=1000, margin_ratio=0.075)
    stretched = crop_to_canvas(photo, alpha, settings)
    layers = crop_to_canvas(photo, alpha, settings, matted=True)
    perimeter = 2 * np.pi * 150.5 * layers.scale

    def ramp_width(canvas_alpha: np.ndarray) -> float:
        return float(((canvas_alpha > 0.02) & (canvas_alpha < 0.98)).sum() / perimeter)

    assert ramp_width(stretched.alpha) > 3.0
    assert 0.7 < ramp_width(layers.alpha) < 1.5  # anti-aliased still, one output px wide
    # the product's boundary stays where it was, and its colour is the product's
    assert (layers.alpha >= 0.5).sum() == (stretched.alpha >= 0.5).sum()
    edge = (layers.alpha > 0.05) & (layers.alpha < 0.95)
    straight = layers.premultiplied[edge] / layers.alpha[edge][:, None]
    assert np.abs(straight - 40).max() < 6  # cubic resampling's overshoot only


def test_a_cut_outs_own_translucency_is_kept_when_upscaled():
    # A cut-out PNG's alpha may be fractional inside the product (glass, a soft shadow kept on purpose).
    alpha = _disc(150.5, 340)
    alpha[140:200, 140:200] = 0.3
    photo = np.full((340, 340, 3), 40, np.uint8)
    settings = Settings(size_px=1000, margin_ratio=0.075)
    kept = crop_to_canvas(photo, alpha, settings)
    plateau = np.abs(kept.alpha - 0.3) < 0.01
    assert plateau.sum() > 25_000 and np.abs(kept.alpha[470:530, 470:530] - 0.3).max() < 0.01
    # What the flag would do to it: beside the opaque product, the plateau is read as an edge
    # and cut to a ring of holes.
    steepened = crop_to_canvas(photo, alpha, settings, matted=True)
    assert (steepened.alpha[plateau] < 0.1).sum() > 2000


def _cable_leaving_a_disc(side: int, cable_alpha: float) -> CanvasLayers:
    """A disc (radius side * 0.3 + 0.5, centred at side * (0.5, 0.35)) on a `side` px square, a
    cable one source pixel wide and `cable_alpha` strong leaving it to the right, on the canvas."""
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    radius, row, col = side * 0.3 + 0.5, side // 2, round(side * 0.35)
    alpha = np.clip(radius - np.hypot(yy - row, xx - col), 0.0, 1.0)
    alpha[row - 2, round(col + radius) : side - side // 30] = cable_alpha
    photo = np.full((side, side, 3), 40, np.uint8)
    return crop_to_canvas(photo, alpha, Settings(size_px=1000, margin_ratio=0.075), matted=True)


def test_a_part_too_thin_to_reach_half_alpha_keeps_its_own_when_upscaled():
    # A cable a third of a source pixel wide (alpha 0.35 at most) leaving a disc, scaled up x2.7.
    layers = _cable_leaving_a_disc(340, 0.35)
    assert 2.7 < layers.scale < 2.8
    cable = layers.alpha[:, 800:900]  # well away from the disc
    assert np.abs(cable.max(axis=0) - 0.33).max() < 0.02  # steepened about 0.5 it would be gone


def test_a_downscaled_edge_leaves_no_faint_tail_on_the_backdrop():
    # A disc whose matte runs on past its edge at 0.08 for 3 px (over the matte's own snap), scaled
    # down x0.7: averaged with the backdrop beyond, the tail's outer end is a ring of alpha under
    # 0.06, a grey a level or two off white beside the product.
    yy, xx = np.mgrid[0:1400, 0:1400].astype(np.float32)
    distance = np.hypot(yy - 699.5, xx - 699.5)
    alpha = np.clip(600.5 - distance, 0.0, 1.0)
    alpha[(distance > 600.5) & (distance <= 603.5)] = 0.08
    photo = np.full((1400, 1400, 3), 40, np.uint8)
    settings = Settings(size_px=1000, margin_ratio=0.075)
    averaged = crop_to_canvas(photo, alpha, settings)
    layers = crop_to_canvas(photo, alpha, settings, matted=True)
    assert 0.70 < layers.scale < 0.71
    faint = (averaged.alpha > 0.0) & (averaged.alpha < 0.06)
    assert faint.sum() > 1000  # a cut-out's own alpha is left as it is
    assert ((layers.alpha > 0.0) & (layers.alpha < 0.06)).sum() == 0
    # the body, the tail over the floor and the edge's ramp are as they were
    kept = layers.alpha >= 0.06
    assert np.array_equal(kept, averaged.alpha >= 0.06)
    assert np.array_equal(layers.alpha[kept], averaged.alpha[kept])
    final = fill_white(layers)
    assert int((final[faint] != 255).any(axis=1).sum()) == 0


def test_a_faint_thin_part_keeps_its_own_when_downscaled():
    # A cable a pixel wide at alpha 0.2 leaving a disc, scaled down x0.27: averaged, it is alpha
    # 0.055 or under, under the floor, with no body near it to be the tail of. It stays, all of it.
    layers = _cable_leaving_a_disc(3400, 0.2)
    assert 0.27 < layers.scale < 0.28
    cable = layers.alpha[:, 800:900]  # well away from the disc
    assert cable.max() < 0.06
    assert np.abs(cable.sum(axis=0) - 0.2 * layers.scale).max() < 0.002  # its whole coverage
