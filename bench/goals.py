"""What `make bench` reports: one Row per figure, each a ratio (or a size) beside its goal, and the
interleaved runner every timed comparison uses, so that the machine's noise falls on both sides alike."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the table. `value` is compared with `limit` (at most, or at least when `at_least`); a
    row without a limit is information and has no verdict."""

    figure: str
    measured: str  # what was measured, for a person: "12.3 ms (ours) / 10.1 ms (reference)"
    value: float | None = None
    limit: float | None = None
    at_least: bool = False
    unit: str = "×"  # "×" for ratios, " KB", " requests"...

    @property
    def met(self) -> bool | None:
        if self.value is None or self.limit is None:
            return None
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    @property
    def goal(self) -> str:
        if self.limit is None:
            return ""
        return f"{'≥' if self.at_least else '≤'} {self.limit:g}{self.unit}"

    @property
    def verdict(self) -> str:
        return {None: "", True: "met", False: "**missed**"}[self.met]


def ratio_row(figure: str, ours: list[float], reference: list[float], limit: float | None, *,
              at_least: bool = False, unit: str = "ms", names: tuple[str, str] = ("Panless", "reference")) -> Row:
    """A row comparing the medians of two interleaved series: ours / reference."""
    a, b = statistics.median(ours), statistics.median(reference)
    return Row(figure, f"{a:.1f} {unit} ({names[0]}) / {b:.1f} {unit} ({names[1]}): **{a / b:.2f}**",
               round(a / b, 3), limit, at_least)


def interleaved(runs: int, ours: Callable[[], float], reference: Callable[[], float],
                warmup: int = 2) -> tuple[list[float], list[float]]:
    """Run both measurements turn about, `runs` times each after `warmup` unrecorded turns, swapping which
    goes first every turn. Each callable returns its own figure (a duration, a rate)."""
    a, b = [], []
    for turn in range(warmup + runs):
        pair = (ours, reference) if turn % 2 == 0 else (reference, ours)
        first, second = pair[0](), pair[1]()
        x, y = (first, second) if turn % 2 == 0 else (second, first)
        if turn >= warmup:
            a.append(x)
            b.append(y)
    return a, b


def table(rows: list[Row], header: str) -> str:
    lines = [header, "", "| figure | measured | goal | |", "|---|---|---|---|"]
    lines += [f"| {r.figure} | {r.measured} | {r.goal} | {r.verdict} |" for r in rows]
    return "\n".join(lines) + "\n"


def missed(rows: list[Row]) -> list[Row]:
    return [r for r in rows if r.met is False]
