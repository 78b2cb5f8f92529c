"""Table rendering for the cycle's reprs and reports: the one copy lives in
:mod:`randsupervise._core.display` (shared with the model's and the draw's reprs)."""

from __future__ import annotations

from randsupervise._core.display import html_table, text_table

__all__ = ["html_table", "text_table"]
