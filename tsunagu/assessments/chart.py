"""A small server-rendered SVG line chart: works offline, prints, needs no script (CSP)."""

from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH, HEIGHT, PAD = 640, 220, 40


@dataclass
class Series:
    label: str
    points: list[tuple[str, float | None]]  # (x label, value)
    low: float
    high: float
    colour: str


def line_chart(series: list[Series], *, title: str) -> str:
    labels = [x for x, _v in series[0].points] if series else []
    n = max(len(labels), 1)
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<rect x="{PAD}" y="10" width="{WIDTH - 2 * PAD}" height="{HEIGHT - 50}" fill="#fff" stroke="#c8ced8"/>',
    ]
    for index, label in enumerate(labels):
        x = PAD + index * step
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 22}" font-size="11" text-anchor="middle" fill="#1d2430">'
            f"{escape(label)}</text>"
        )
    for row, s in enumerate(series):
        coords = []
        span = (s.high - s.low) or 1
        for index, (_x, value) in enumerate(s.points):
            if value is None:
                continue
            x = PAD + index * step
            y = 10 + (HEIGHT - 50) * (1 - (value - s.low) / span)
            coords.append((x, y, value))
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{s.colour}" stroke-width="2"/>')
        for x, y, value in coords:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{s.colour}">'
                f"<title>{escape(s.label)}: {value:g}</title></circle>"
            )
        parts.append(
            f'<text x="{PAD + row * 200}" y="{HEIGHT - 5}" font-size="12" fill="{s.colour}">■ {escape(s.label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
