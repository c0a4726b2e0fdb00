"""Geometry of the strategy map: perspectives as horizontal bands (Financial on top),
objectives as boxes in their band, cause-and-effect arrows between box edges. An arrow
that would pass behind another objective's box (a link that skips a band) bends around it,
so it is never read as starting or ending there."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

WIDTH = 960
BAND = 150
BOX_W, BOX_H = 190, 70
LABEL_W = 130
CLEARANCE = 10  # between a bent arrow and the box it goes around


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
        start = (a.cx, a.y if upward else a.y + BOX_H)
        end = (b.cx, b.y + BOX_H if upward else b.y)
        others = [box for box in boxes.values() if box is not a and box is not b]
        proof = (evidence or {}).get((source, target))
        strength = abs(proof.r) if proof is not None and proof.r is not None else None
        arrows.append(
            {
                "evidence": proof,
                "width": round(1.5 + 3 * strength, 2) if strength is not None else 1.5,
                "d": _route(start, end, others),
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


Point = tuple[float, float]


def _route(start: Point, end: Point, others: list[Box]) -> str:
    """SVG path data from ``start`` to ``end``: straight when no other box is in the way,
    else a quadratic curve bowed sideways just enough to clear every box it passed behind
    (on the side where the curve meets fewer boxes)."""
    (x1, y1), (x2, y2) = start, end
    blocking = [box for box in others if _meets(box, partial(_along, start, end))]
    if not blocking or y1 == y2:
        return f"M {x1:.1f} {y1:.1f} L {x2:.1f} {y2:.1f}"
    centre = (LABEL_W + WIDTH) / 2
    choices = []
    for side in (1, -1):
        bow = side * max(_bow_around(start, end, box, side) for box in blocking)
        control = ((x1 + x2) / 2 + 2 * bow, (y1 + y2) / 2)
        met = sum(_meets(box, partial(_curve, start, control, end)) for box in others)
        widest = (x1 + x2) / 2 + bow  # the curve's middle
        outside = not LABEL_W <= widest <= WIDTH
        inward = side * (centre - (x1 + x2) / 2) > 0  # towards the middle, where arrows run
        choices.append((met, outside, inward, abs(bow), control))
    *_, (cx, cy) = min(choices)
    return f"M {x1:.1f} {y1:.1f} Q {cx:.1f} {cy:.1f} {x2:.1f} {y2:.1f}"


def _along(p: Point, q: Point, t: float) -> Point:
    return (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t)


def _curve(p: Point, c: Point, q: Point, t: float) -> Point:
    u = 1 - t
    return (
        u * u * p[0] + 2 * u * t * c[0] + t * t * q[0],
        u * u * p[1] + 2 * u * t * c[1] + t * t * q[1],
    )


def _meets(box: Box, point_at: Callable[[float], Point], samples: int = 60) -> bool:
    """Whether the path (``point_at(t)`` for t in 0…1) passes through ``box`` or within
    ``CLEARANCE`` of its sides."""
    left, right = box.x - CLEARANCE + 1, box.x + BOX_W + CLEARANCE - 1
    for i in range(1, samples):
        x, y = point_at(i / samples)
        if left <= x <= right and box.y <= y <= box.y + BOX_H:
            return True
    return False


def _bow_around(start: Point, end: Point, box: Box, side: int) -> float:
    """How far the curve's middle must move sideways (``side`` 1: to the right) to keep it
    ``CLEARANCE`` away from ``box`` at the box's top and bottom edges. A control point
    moved by 2·bow shifts the curve at parameter t by 4·t·(1−t)·bow."""
    (_, y1), (_, y2) = start, end
    needed = 0.0
    for edge in (box.y, box.y + BOX_H):
        t = min(max((edge - y1) / (y2 - y1), 0.02), 0.98)
        x = _along(start, end, t)[0]
        clear = box.x + BOX_W + CLEARANCE - x if side > 0 else x - (box.x - CLEARANCE)
        needed = max(needed, clear / (4 * t * (1 - t)))
    return needed
