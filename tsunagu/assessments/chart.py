"""A small server-rendered SVG line chart: works offline, prints, needs no script (CSP).

This module computes the chart's geometry only: numbers and plain-text labels. The SVG itself is
rendered by the template ``assessments/_line_chart.html`` with Django's autoescaping, so a name in a
title or a label is always text, never markup or an attribute (issue 8, defect 2).
"""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 640, 220, 40
TOP = 10
PLOT_HEIGHT = HEIGHT - 50
LEGEND_STEP = 200


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[str, float | None]]  # (x label, value)
    low: float
    high: float
    colour: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: str  # the value as shown in the tooltip


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    points: list[Point]
    polyline: str  # "x,y x,y …": numbers only; empty when fewer than two points
    legend_x: float


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    pad: int
    top: int
    plot_width: int
    plot_height: int
    tick_y: int
    legend_y: int
    ticks: list[Tick]
    lines: list[Line]


def line_chart(series: list[Series], *, title: str) -> Chart:
    labels = [x for x, _v in series[0].points] if series else []
    n = max(len(labels), 1)
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)
    ticks = [Tick(x=round(PAD + index * step, 1), label=label) for index, label in enumerate(labels)]
    lines = []
    for row, s in enumerate(series):
        span = (s.high - s.low) or 1
        points = [
            Point(
                x=round(PAD + index * step, 1),
                y=round(TOP + PLOT_HEIGHT * (1 - (value - s.low) / span), 1),
                value=f"{value:g}",
            )
            for index, (_x, value) in enumerate(s.points)
            if value is not None
        ]
        polyline = " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points) if len(points) > 1 else ""
        lines.append(
            Line(label=s.label, colour=s.colour, points=points, polyline=polyline, legend_x=PAD + row * LEGEND_STEP)
        )
    return Chart(
        title=title,
        width=WIDTH,
        height=HEIGHT,
        pad=PAD,
        top=TOP,
        plot_width=WIDTH - 2 * PAD,
        plot_height=PLOT_HEIGHT,
        tick_y=HEIGHT - 22,
        legend_y=HEIGHT - 5,
        ticks=ticks,
        lines=lines,
    )
