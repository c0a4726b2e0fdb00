"""Strategy-map geometry: arrows go straight unless a box is in the way, then around it."""

from __future__ import annotations

from types import SimpleNamespace

from trellis.web.results import layout

PERSPECTIVES = [
    {"code": "financial", "name": "Financial"},
    {"code": "customer", "name": "Customer"},
    {"code": "process", "name": "Internal Processes"},
]


def _objective(pk: int, perspective: str) -> SimpleNamespace:
    return SimpleNamespace(pk=pk, perspective=perspective, name=f"Objective {pk}", code=f"O{pk}")


def _map(drives: list[tuple[int, int]]) -> dict:  # type: ignore[type-arg]
    # Two columns in every band: 1/2 financial, 3/4 customer, 5/6 process.
    objectives = [
        _objective(pk, p["code"])
        for i, p in enumerate(PERSPECTIVES)
        for pk in (2 * i + 1, 2 * i + 2)
    ]
    return layout.strategy_map(PERSPECTIVES, objectives, {}, drives)


def _points(d: str) -> list[tuple[float, float]]:
    """Points along an ``M … L …`` or ``M … Q …`` path."""
    parts = d.split()
    numbers = [float(p) for p in parts if p not in ("M", "L", "Q")]
    if "L" in parts:
        (x1, y1, x2, y2) = numbers
        return [(x1 + (x2 - x1) * i / 100, y1 + (y2 - y1) * i / 100) for i in range(101)]
    (x1, y1, cx, cy, x2, y2) = numbers
    return [
        (
            (1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t**2 * x2,
            (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t**2 * y2,
        )
        for t in (i / 100 for i in range(101))
    ]


def _inside(point: tuple[float, float], box: layout.Box) -> bool:
    x, y = point
    return box.x <= x <= box.x + layout.BOX_W and box.y <= y <= box.y + layout.BOX_H


def test_an_arrow_to_the_next_band_is_straight_from_edge_to_edge() -> None:
    drawn = _map([(5, 3)])
    boxes = {b.objective.pk: b for b in drawn["boxes"]}
    (arrow,) = drawn["arrows"]
    start, end = boxes[5], boxes[3]
    assert arrow["d"] == (
        f"M {start.cx:.1f} {start.y:.1f} L {end.cx:.1f} {end.y + layout.BOX_H:.1f}"
    )


def test_an_arrow_skipping_a_band_goes_around_the_box_in_its_way() -> None:
    drawn = _map([(6, 2)])  # process, right column → financial, right column: box 4 between
    boxes = {b.objective.pk: b for b in drawn["boxes"]}
    (arrow,) = drawn["arrows"]
    assert " Q " in arrow["d"]
    points = _points(arrow["d"])
    assert points[0] == (boxes[6].cx, boxes[6].y) and points[-1] == (
        boxes[2].cx,
        boxes[2].y + layout.BOX_H,
    )
    assert not any(_inside(p, box) for p in points[1:-1] for box in boxes.values())
    # It bends outwards (the right column bends right), clear of the box by the margin.
    middle = [x for x, y in points if boxes[4].y <= y <= boxes[4].y + layout.BOX_H]
    assert min(middle) >= boxes[4].x + layout.BOX_W + layout.CLEARANCE - 1
    assert max(x for x, _ in points) <= layout.WIDTH
