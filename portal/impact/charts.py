"""Bar charts drawn on the server as SVG geometry; templates/impact/_charts.html draws them.

No JavaScript and no style attributes (the Content-Security-Policy allows neither): the
macro uses presentation attributes only, so the same SVG renders in browsers and WeasyPrint.
Every chart carries a title and a text summary, and the page follows it with its data table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 56  # room for the axis labels


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None  # None: suppressed or no data (drawn as a gap, labelled)
    value_text: str
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Tick:
    value_text: str
    y: float


@dataclass(frozen=True)
class BarChart:
    title: str
    summary: str
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> float:
        return HEIGHT - BOTTOM

    @property
    def is_empty(self) -> bool:
        return all(bar.value is None for bar in self.bars)


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 × 10^k at least `value` (so the axis ends on a round number)."""
    if value <= 0:
        return Decimal(1)
    step = Decimal(1)
    while step * 10 <= value:
        step *= 10
    while step > value:
        step /= 10
    for multiple in (1, 2, 5, 10):
        if step * multiple >= value:
            return step * multiple
    return step * 10  # pragma: no cover (the loop always returns)


def _fmt(value: Decimal, places: int, unit: str) -> str:
    return f"{value:,.{places}f}{unit}"


def _tick_text(value: Decimal, unit: str) -> str:
    # 2.5, 5, 10: no trailing zeros on the axis.
    return f"{value.quantize(Decimal('0.01')).normalize():,f}{unit}"


def bar_chart(title: str, points: list[tuple[str, Decimal | int | None]], *, summary: str,
              places: int = 0, unit: str = "") -> BarChart:
    """One bar per (label, value); None values leave a labelled gap ("not shown")."""
    values = [Decimal(v) for _label, v in points if v is not None]
    top = nice_ceiling(max(values, default=Decimal(0)))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        height = 0.0 if value is None else float(Decimal(value) / top) * plot_height
        bars.append(Bar(
            label, None if value is None else Decimal(value),
            "not shown" if value is None else _fmt(Decimal(value), places, unit),
            x=round(LEFT + index * slot + slot * 0.15, 1), y=round(TOP + plot_height - height, 1),
            width=round(slot * 0.7, 1), height=round(height, 1)))
    ticks = tuple(Tick(_tick_text(top * k / 2, unit), round(TOP + plot_height * (1 - k / 2), 1))
                  for k in range(3))
    return BarChart(title, summary, tuple(bars), ticks)
