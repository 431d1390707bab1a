import numpy as np
import pytest

from aefix.errors import NoProductError
from aefix.models import KNOWN_MODELS
from aefix.segment import BackgroundDistanceSegmenter, mask_from_alpha, mask_from_soft, rembg_session_class
from conftest import iou
from synth import make_photo


def test_specks_are_dropped_and_holes_stay_open() -> None:
    soft = np.zeros((200, 200), np.float32)
    soft[40:160, 40:160] = 1.0
    soft[80:120, 80:120] = 0.0  # a handle's hole
    soft[5:7, 5:7] = 0.9  # a 4-pixel speck
    mask = mask_from_soft(soft)
    assert not mask.hard[100, 100] and not mask.hard[6, 6]
    assert mask.hard.sum() == 120 * 120 - 40 * 40
    assert (mask.alpha[~mask.hard] == 0).all()


def test_alpha_ramps_from_edge_to_opaque() -> None:
    soft = np.array([[0.4, 0.5, 0.7, 0.9, 1.0]], np.float32).repeat(10, axis=0)
    mask = mask_from_soft(soft)
    assert mask.alpha[0].tolist() == pytest.approx([0.0, 0.0, 0.5, 1.0, 1.0])


def test_empty_masks_are_an_error() -> None:
    with pytest.raises(NoProductError):
        mask_from_soft(np.zeros((20, 20), np.float32))
    with pytest.raises(NoProductError):
        mask_from_alpha(np.zeros((20, 20), np.uint8))


def test_background_distance_double_recovers_a_clean_product() -> None:
    photo = make_photo("p", 3, "mug", product_rgb=(40, 140, 60), backdrop=240)
    mask = mask_from_soft(BackgroundDistanceSegmenter().predict(photo.rgb))
    assert iou(mask.hard, photo.mask) > 0.99


@pytest.mark.parametrize("model", sorted(KNOWN_MODELS))
def test_every_known_model_has_its_own_rembg_session_class(model: str) -> None:
    """aefix imports the one rembg module a model needs; a rename in rembg would show here."""
    assert rembg_session_class(model).name() == model
