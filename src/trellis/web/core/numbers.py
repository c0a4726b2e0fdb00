"""Numbers as pages show them, by the engine's rules (templates reach the engine only
through modules such as this one)."""

from __future__ import annotations

from trellis.engine.scoring import shown_score

__all__ = ["shown_score"]
