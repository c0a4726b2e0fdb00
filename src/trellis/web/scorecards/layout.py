"""Geometry of the strategy map: perspectives as horizontal bands (Financial on top),
objectives as boxes in their band, cause-and-effect arrows between box edges."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

WIDTH = 960
BAND = 150
BOX_W, BOX_H = 190, 70
LABEL_W = 130


@dataclass
class Box:
    """One objective on the map."""

    objective: Any
    cell: Any
    x: float
    y: float

    @property
    def cx(self) -> float:
        """Horizontal centre."""
        return self.x + BOX_W / 2

    @property
    def lines(self) -> list[tuple[float, str]]:
        """The name wrapped into at most two lines that fit the box, with their baselines."""
        words = textwrap.wrap(self.objective.name, 24)
        if len(words) > 2:
            words = [words[0], textwrap.shorten(" ".join(words[1:]), 24, placeholder="…")]
        first = self.y + (22 if len(words) == 2 else 30)
        return [(first + 16 * i, line) for i, line in enumerate(words)]


def strategy_map(
    perspectives: list[dict[str, Any]],
    objectives: list[Any],
    cells: dict[int, Any],
    drives: list[tuple[int, int]],
    evidence: dict[tuple[int, int], Any] | None = None,
) -> dict[str, Any]:
    """Bands, boxes and arrows with coordinates in a ``WIDTH`` × height view box."""
    bands = []
    boxes: dict[int, Box] = {}
    for i, p in enumerate(perspectives):
        y = i * BAND
        bands.append({"y": y, "name": p["name"], "code": p["code"], "shade": i % 2})
        members = [o for o in objectives if o.perspective == p["code"]]
        slot = (WIDTH - LABEL_W) / max(len(members), 1)
        for k, o in enumerate(members):
            x = LABEL_W + slot * k + (slot - BOX_W) / 2
            boxes[o.pk] = Box(o, cells.get(o.pk), x, y + (BAND - BOX_H) / 2)
    arrows = []
    for source, target in drives:
        a, b = boxes.get(source), boxes.get(target)
        if a is None or b is None:
            continue
        upward = b.y < a.y
        proof = (evidence or {}).get((source, target))
        strength = abs(proof.r) if proof is not None and proof.r is not None else None
        arrows.append(
            {
                "evidence": proof,
                "width": round(1.5 + 3 * strength, 2) if strength is not None else 1.5,
                "x1": a.cx,
                "y1": a.y if upward else a.y + BOX_H,
                "x2": b.cx,
                "y2": b.y + BOX_H if upward else b.y,
                "source": a.objective,
                "target": b.objective,
            }
        )
    return {
        "width": WIDTH,
        "height": BAND * len(perspectives),
        "bands": bands,
        "boxes": list(boxes.values()),
        "arrows": arrows,
        "box_w": BOX_W,
        "box_h": BOX_H,
    }
