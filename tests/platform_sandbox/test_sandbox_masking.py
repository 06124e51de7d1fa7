"""Name masking (``masking.py``)."""

from __future__ import annotations

import pytest

from platform_sandbox.masking import mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王小明", "王*明"), ("王明", "王*"), ("欧阳小明", "欧**明"), ("王", "王"), ("", "")],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked
