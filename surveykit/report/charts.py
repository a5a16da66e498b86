"""The report's charts: matplotlib drawn as inline SVG (no script, no font, no request).

Every chart is readable in greyscale and to colour-blind readers: the groups
differ by colour (the Okabe–Ito palette), by hatch pattern and by marker shape.
Charts draw figures the scoring layer computed; nothing here is a statistic.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

#: Okabe & Ito (2008), safe for the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HATCHES = ("", "///", "...", "xx", "\\\\\\", "++", "oo", "--")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: NPS parts: detractors, passives, promoters (orange-red, grey, blue; hatched apart).
NPS_STYLE = (("#D55E00", "xx"), ("#BBBBBB", ""), ("#0072B2", "///"))

_counter = itertools.count()

matplotlib.rcParams.update({
    "svg.fonttype": "none",  # text stays text: searchable, and no embedded font
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
})


def _figure(figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """A figure of its own (no pyplot: no global state, no GUI backend)."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def style(i: int) -> dict[str, Any]:
    return {"color": PALETTE[i % len(PALETTE)], "hatch": HATCHES[i % len(HATCHES)],
            "marker": MARKERS[i % len(MARKERS)]}


def to_svg(fig: Figure) -> str:
    """The figure as an `<svg>` element to inline (no XML prologue, no metadata)."""
    buffer = io.StringIO()
    # unique element ids per chart: several SVGs live in one page
    with matplotlib.rc_context({"svg.hashsalt": f"c{next(_counter)}"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    return text


#: At most this many dots per group and row: beyond it, evenly spaced quantiles stand
#: for the observations (the page stays small at 100,000 sessions).
DOTS = 300


def dots(sample: Mapping[float, int] | None, limit: int = DOTS) -> list[float]:
    """The observations of a histogram as dots: all of them up to `limit`, else the
    values at `limit` evenly spaced ranks (the same distribution, drawn smaller)."""
    items = sorted((v, k) for v, k in (sample or {}).items() if k > 0)
    n = sum(k for _, k in items)
    if n <= limit:
        return [v for v, k in items for _ in range(k)]
    out: list[float] = []
    ranks = iter(int((i + 0.5) * n / limit) for i in range(limit))
    rank = next(ranks)
    seen = 0
    for v, k in items:
        seen += k
        while rank < seen:
            out.append(v)
            rank = next(ranks, n)
    return out


def _err(value: float | None, low: float | None, high: float | None) -> list[list[float]]:
    if value is None or low is None or high is None:
        return [[0.0], [0.0]]
    return [[value - low], [high - value]]


Row = tuple[str, Any]  # (group label, Metric)


def nps_chart(rows: Sequence[Row]) -> str:
    """Stacked detractor / passive / promoter bars per group; the score and its interval."""
    fig, ax = _figure(figsize=(6.4, 0.6 + 0.55 * len(rows)))
    names = ("detractors (0-6)", "passives (7-8)", "promoters (9-10)")
    for y, (_label, m) in enumerate(rows):
        d = m.details
        n = m.estimate.n or 1
        left = 0.0
        for part, key, (colour, hatch), name in zip(
            range(3), ("detractors", "passives", "promoters"), NPS_STYLE, names, strict=True
        ):
            share = 100.0 * d.get(key, 0) / n
            ax.barh(y, share, left=left, color=colour, hatch=hatch, edgecolor="#333333",
                    linewidth=0.5, label=name if y == 0 else None)
            if share >= 8:
                ax.text(left + share / 2, y, f"{share:.0f}%", ha="center", va="center",
                        fontsize=8, color="black" if part == 1 else "white",
                        bbox={"boxstyle": "round,pad=0.1", "fc": "#00000055" if part != 1 else "none",
                              "ec": "none"})
            left += share
    ax.set_yticks(range(len(rows)), [_group_text(label, m) for label, m in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of respondents")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False, fontsize=8)
    return to_svg(fig)


def _group_text(label: str, m: Any) -> str:
    e = m.estimate
    if m.metric == "nps" and e.value is not None:
        iv = f" [{e.low:+.0f}, {e.high:+.0f}]" if e.low is not None else ""
        return f"{label}\nNPS {e.value:+.0f}{iv} n={e.n}".strip()
    return f"{label} (n={e.n})".strip()


def distribution_chart(rows: Sequence[Row], scale: tuple[float, float] | None) -> str:
    """Share of answers at each point of the scale per group, with each group's mean and interval."""
    values: list[float] = sorted({v for _, m in rows for v in (m.sample or {})})
    if scale and scale[0] is not None and scale[1] is not None and scale[1] - scale[0] <= 12:
        lo, hi = scale
        values = sorted(set(values) | {float(lo + i) for i in range(int(hi - lo) + 1)})
    fig, ax = _figure(figsize=(6.4, 2.6))
    k = len(rows)
    width = 0.8 / max(1, k)
    top = 0.0
    for i, (label, m) in enumerate(rows):
        s = style(i)
        hist = m.sample or {}
        n = sum(hist.values()) or 1
        xs = [v - 0.4 + width * (i + 0.5) for v in values]
        heights = [100.0 * hist.get(v, 0) / n for v in values]
        top = max(top, *heights, 1.0)
        ax.bar(xs, heights, width=width, color=s["color"], hatch=s["hatch"], edgecolor="#333333",
               linewidth=0.5, label=_group_text(label, m))
    for i, (_label, m) in enumerate(rows):
        e = m.estimate
        if e.value is None:
            continue
        s = style(i)
        y = top * (1.08 + 0.08 * i)
        ax.errorbar([e.value], [y], xerr=_err(e.value, e.low, e.high), fmt=s["marker"],
                    color="black", mfc=s["color"], capsize=3, lw=1)
        ax.annotate(f"mean {e.value:.2f}", (e.value, y), xytext=(6, 2),
                    textcoords="offset points", fontsize=7)
    ax.set_ylim(0, top * (1.2 + 0.08 * k))
    ax.set_xticks(values, [f"{v:g}" for v in values])
    ax.set_ylabel("% of answers")
    if k > 1 or rows[0][0]:
        ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_svg(fig)


#: Sauro–Lewis curved grading scale: (lower bound, grade).
SUS_GRADES = ((84.1, "A+"), (80.8, "A"), (78.9, "A-"), (77.2, "B+"), (74.1, "B"), (72.6, "B-"),
              (71.1, "C+"), (65.0, "C"), (62.7, "C-"), (51.7, "D"), (0.0, "F"))


def sus_chart(rows: Sequence[Row], average: float = 68.0) -> str:
    """The curved grade scale, each respondent as a dot, the mean with its interval, 68."""
    fig, ax = _figure(figsize=(6.4, 0.9 + 0.6 * len(rows)))
    upper = 100.0
    for i, (lower, grade) in enumerate(SUS_GRADES):
        shade = "#F2F2F2" if i % 2 else "#E0E0E0"
        ax.axvspan(lower, upper, color=shade, zorder=0)
        ax.text((lower + upper) / 2, 1.02 + 0.07 * (i % 2), grade, ha="center", va="bottom",
                fontsize=6.5, transform=ax.get_xaxis_transform())
        upper = lower
    ax.axvline(average, color="black", ls="--", lw=1, zorder=1)
    ax.text(average - 0.8, 0.02, f"average {average:g}", fontsize=7, ha="right", va="bottom",
            transform=ax.get_xaxis_transform())
    for y, (_label, m) in enumerate(rows):
        s = style(y)
        points = dots(m.sample)
        jitter = [((j * 0.6180339) % 1 - 0.5) * 0.35 for j in range(len(points))]
        ax.scatter(points, [y + j for j in jitter], s=10, marker=s["marker"], facecolor="none",
                   edgecolor=s["color"], linewidth=0.8, zorder=2, alpha=0.8)
        e = m.estimate
        if e.value is not None:
            ax.errorbar([e.value], [y], xerr=_err(e.value, e.low, e.high), fmt="D",
                        color="black", mfc="white", ms=7, capsize=4, lw=1.6, zorder=3)
    ax.set_yticks(range(len(rows)), [_group_text(label, m) for label, m in rows])
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlim(0, 100)
    ax.set_xlabel("SUS score (grades: Sauro–Lewis curved scale)")
    return to_svg(fig)


def per_task_chart(
    tasks: Sequence[tuple[str, Sequence[Row]]],
    *,
    xlabel: str,
    bars: bool = False,
    reference: tuple[float, str] | None = None,
    limits: Mapping[str, float] | None = None,
    show_dots: bool = False,
    xlim: tuple[float, float] | None = None,
    log: bool = False,
) -> str:
    """One row per task, one mark per group: the value with its interval (a bar or a
    marker); optionally each observation as a dot, a reference line, time limits."""
    groups = max((len(rows) for _, rows in tasks), default=1)
    height = 0.8 / max(1, groups)
    fig, ax = _figure(figsize=(6.4, 0.8 + 0.45 * len(tasks) * max(1, groups) ** 0.6))
    labels_done: set[str] = set()
    for t, (_task, rows) in enumerate(tasks):
        for g, (label, m) in enumerate(rows):
            s = style(g)
            y = t - 0.4 + height * (g + 0.5)
            e = m.estimate
            name = label if label and label not in labels_done else None
            if name:
                labels_done.add(label)
            if show_dots and m.sample:
                pts = dots(m.sample)
                jitter = [((j * 0.6180339) % 1 - 0.5) * height * 0.7 for j in range(len(pts))]
                ax.scatter(pts, [y + j for j in jitter], s=7, marker=s["marker"],
                           facecolor="none", edgecolor=s["color"], linewidth=0.6, alpha=0.7,
                           zorder=2)
            if e.value is None:
                ax.text(0, y, "  no data", va="center", fontsize=7, color="#555555")
                continue
            if bars:
                ax.barh(y, e.value, height=height * 0.9, color=s["color"], hatch=s["hatch"],
                        edgecolor="#333333", linewidth=0.5, label=name, zorder=1)
                ax.errorbar([e.value], [y], xerr=_err(e.value, e.low, e.high), fmt="none",
                            color="black", capsize=3, lw=1, zorder=3)
            else:
                ax.errorbar([e.value], [y], xerr=_err(e.value, e.low, e.high), fmt=s["marker"],
                            color="black", mfc=s["color"], ms=6, capsize=3, lw=1.2, zorder=3,
                            label=name)
        if limits and _task in limits:
            ax.plot([limits[_task]] * 2, [t - 0.45, t + 0.45], color="#D55E00", lw=2, ls=":",
                    zorder=4, label="time limit" if "time limit" not in labels_done else None)
            labels_done.add("time limit")
    if reference is not None:
        ax.axvline(reference[0], color="black", ls="--", lw=1)
        ax.text(reference[0], -0.6, reference[1], fontsize=7, ha="center", va="bottom")
    if log:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        # minor ticks too: matplotlib writes them as 4×10¹ on a log axis
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.set_yticks(range(len(tasks)), [task for task, _ in tasks])
    ax.set_ylim(len(tasks) - 0.5, -0.8)
    if xlim:
        ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    if labels_done:
        ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_svg(fig)
