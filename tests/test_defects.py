"""The labelled defect set: every defect kind is flagged with its code; clean images have no finding."""

from __future__ import annotations

import pytest

from aefix.compliance import ComplianceResult, check_bytes
from aefix.messages import is_translated, translate
from aefix.profiles import load_profile
from defects import DEFECTS, LabelledImage, labelled_set

PER_KIND, CLEAN = 2, 8
PROFILE = load_profile("aliexpress")


@pytest.fixture(scope="module")
def checked() -> list[tuple[LabelledImage, ComplianceResult]]:
    return [(image, check_bytes(image.name, image.data, PROFILE)) for image in labelled_set(PER_KIND, CLEAN, seed=7)]


def test_clean_images_score_at_least_92_with_no_finding(checked) -> None:
    clean = [(image, result) for image, result in checked if image.kind == "clean"]
    assert len(clean) == CLEAN
    for image, result in clean:
        assert result.findings == [], (image.name, result.findings)
        assert result.score >= 92.0 and result.passed
        assert result.metrics["background_impure_pct"] == 0.0


@pytest.mark.parametrize("kind", [kind.name for kind in DEFECTS])
def test_each_defect_is_flagged_with_its_code(checked, kind: str) -> None:
    images = [(image, result) for image, result in checked if image.kind == kind]
    assert len(images) == PER_KIND
    for image, result in images:
        codes = [finding.code for finding in result.findings]
        assert image.expected_code in codes, (image.name, codes)
        assert not result.passed and result.score < 92.0


def test_findings_carry_measured_values_and_places(checked) -> None:
    by_code = {
        finding.code: finding
        for image, result in checked
        for finding in result.findings
        if finding.code == image.expected_code
    }
    text = by_code["text.added"]
    assert text.box is not None and isinstance(text.value, str) and text.value  # the text read is reported
    assert "text" in text.message and text.message.endswith("(-25)")
    border = by_code["border.frame"]
    assert 1 <= border.value <= 90  # the set draws frames of 1-16 px, and dark ones of 40-90 px
    grey = by_code["background.gray"]
    assert 5 <= grey.value <= 17 and "grey tone" in grey.message  # backdrops of 238-250
    assert by_code["background.shadow"].box is not None
    assert by_code["code.qr"].value.startswith("https://shop.example.com/")


def test_chinese_promo_text_is_read_as_chinese(checked) -> None:
    read = [
        finding.value
        for image, result in checked
        if image.kind == "text_zh"
        for finding in result.findings
        if finding.code == "text.added"
    ]
    assert read and all(any("\u4e00" <= char <= "\u9fff" for char in str(text)) for text in read)


def test_every_finding_reads_in_chinese_too(checked) -> None:
    for _, result in checked:
        for found in result.findings:
            assert is_translated(found.message), found.message
            assert translate(found.message, "zh") != found.message
