"""The trend chart of a monthly table: one bar a month, drawn as SVG by the template
``reports/_bar_chart.html`` (autoescaped; this module computes numbers and plain-text labels only).

It needs no script, works offline and prints. A month whose figure is withheld by small-cell
protection has no bar but a ＊ where the bar would stand, so the chart never shows more than the
table beside it.
"""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 40


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the month: 「4月」
    value: str  # as printed in the table; 「＊」 when withheld
    withheld: bool


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    left: int
    plot_right: int
    baseline: float
    label_y: float
    bars: tuple[Bar, ...]
    grid: tuple[GridLine, ...]


def _nice_top(high: float) -> float:
    """A round number at or above ``high`` for the top of the axis (1, 2, 5 × 10^n)."""
    if high <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= high:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= high:
            return step * factor
    return step * 10


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def bar_chart(
    *, title: str, labels: list[str], values: list[int | float | Decimal | None], shown: list[str]
) -> BarChart:
    """``values``: the published figure of each month (``None`` when withheld); ``shown``: the same
    as the table prints it."""
    numbers = [float(v) for v in values if v is not None]
    top = _nice_top(max(numbers, default=0.0))
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(len(labels), 1)
    bars = []
    for index, (label, value, text) in enumerate(zip(labels, values, shown, strict=True)):
        height = 0.0 if value is None else plot_height * float(value) / top
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=label,
                value=text,
                withheld=value is None,
            )
        )
    grid = tuple(
        GridLine(y=round(TOP + plot_height * (1 - share), 1), label=_fmt(top * share)) for share in (0, 0.5, 1)
    )
    return BarChart(
        title=title,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        plot_right=WIDTH - RIGHT,
        baseline=TOP + plot_height,
        label_y=HEIGHT - BOTTOM + 16,
        bars=tuple(bars),
        grid=grid,
    )
