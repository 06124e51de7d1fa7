"""Money conversion: the database stores integer fen (分), the API speaks yuan (元)."""

from __future__ import annotations


def fen_to_yuan(fen: int) -> float:
    """Yuan as a JSON number rounded to two decimals (``128050`` fen → ``1280.5``)."""
    return round(fen / 100, 2)
