"""review.csv: one row per extracted item with its confidence and why, the doubtful ones first."""
from __future__ import annotations

__all__ = ["review_rows"]


def review_rows(items: list[dict]) -> list[dict]:
    """`items`: dicts with confidence, kind, file, line, item, why, source; sorted lowest first."""
    rows = [dict(item, confidence=f"{item['confidence']:.2f}") for item in items]
    return sorted(rows, key=lambda r: (float(r["confidence"]), r["file"], int(r["line"])))
