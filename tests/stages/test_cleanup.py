import numpy as np

from aefix.segment import mask_from_soft
from aefix.settings import Settings
from aefix.stages.cleanup import _frame_ring_pixels, remove_shadow
from synth import make_photo


def test_low_confidence_shadow_attached_to_the_product_is_removed() -> None:
    photo = make_photo("s", 4, "bottle", product_rgb=(50, 45, 40), backdrop=240, shadow=0.5)
    rows, cols = np.nonzero(photo.mask)
    shadow_zone = np.zeros_like(photo.mask)
    shadow_zone[rows.max() - 10 : rows.max() + 40, cols.min() - 20 : cols.max() + 20] = True
    shadow_zone &= ~photo.mask
    soft = np.where(photo.mask, 1.0, np.where(shadow_zone, 0.6, 0.0)).astype(np.float32)  # network took shadow

    result = remove_shadow(photo.rgb, mask_from_soft(soft), Settings())
    assert result.shadow_share > 0
    kept_shadow = (result.mask.hard & shadow_zone).sum() / shadow_zone.sum()
    assert kept_shadow < 0.1
    assert (result.mask.hard[photo.mask]).all()  # the product itself is never whitened


def test_a_grey_product_the_network_is_sure_of_is_kept() -> None:
    photo = make_photo("g", 9, "box", product_rgb=(200, 200, 200), backdrop=245)
    soft = np.where(photo.mask, 0.99, 0.0).astype(np.float32)
    result = remove_shadow(photo.rgb, mask_from_soft(soft), Settings())
    assert result.shadow_share == 0.0
    assert np.array_equal(result.mask.hard, photo.mask)


def test_frame_ring_pixels_are_those_of_the_ring_mask() -> None:
    rng = np.random.default_rng(5)
    for height, width, ring_width in ((60, 80, 4), (33, 90, 7), (12, 50, 6), (40, 10, 5)):
        rgb = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        where = rng.random((height, width)) < 0.7
        ring = np.zeros((height, width), bool)
        ring[:ring_width] = ring[-ring_width:] = True
        ring[:, :ring_width] = ring[:, -ring_width:] = True
        got = _frame_ring_pixels(rgb, where, ring_width)
        expected = rgb[ring & where]
        # the same pixels, each once (the order does not matter to the median taken of them)
        assert np.array_equal(np.sort(got.view("V3").ravel()), np.sort(expected.view("V3").ravel()))
