"""The funnel as a chart for a feasibility report: a self-contained SVG (or an HTML page
holding it), no script, no fonts or styles fetched from anywhere.

Each criterion is one row: a bar as long as the patients remaining after it, and beside it how
many it excluded. A second panel lists the criteria that exclude the most.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from eligo.screen.screener import Screening

_ROW, _LABEL, _BAR = 18, 330, 420


def funnel_svg(screening: Screening) -> str:
    steps = screening.funnel
    total = max(screening.patients, 1)
    top = screening.top_excluding(8)
    height = 70 + _ROW * (len(steps) + len(top) + 3)
    width = _LABEL + _BAR + 150
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<text x="8" y="20" font-size="15" font-weight="bold">{escape(screening.trial_id)}: '
        f"{screening.patients:,} patients screened on {screening.as_of.isoformat()}</text>",
        _verdict_line(screening),
    ]
    y = 60
    parts.append(
        f'<text x="8" y="{y}" font-weight="bold">Patients remaining after each criterion</text>'
    )
    for step in steps:
        y += _ROW
        length = _BAR * step.remaining / total
        label = f"{step.criterion}: {step.text}"
        label = label if len(label) <= 52 else label[:51] + "…"
        parts.append(
            f'<text x="8" y="{y}"><title>{escape(step.text)}</title>{escape(label)}</text>'
            f'<rect x="{_LABEL}" y="{y - 12}" width="{length:.1f}" height="13" fill="#4a7fb5"/>'
            f'<text x="{_LABEL + length + 4:.1f}" y="{y}">{step.remaining:,}'
            f"{f' (−{step.excluded:,})' if step.excluded else ''}</text>"
        )
    y += 2 * _ROW
    parts.append(f'<text x="8" y="{y}" font-weight="bold">Criteria that exclude the most</text>')
    for step in top:
        y += _ROW
        length = _BAR * step.excluded / total
        parts.append(
            f'<text x="8" y="{y}">{escape(step.criterion)}</text>'
            f'<rect x="{_LABEL}" y="{y - 12}" width="{length:.1f}" height="13" fill="#c0504d"/>'
            f'<text x="{_LABEL + length + 4:.1f}" y="{y}">{step.excluded:,}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _verdict_line(screening: Screening) -> str:
    words = {
        "eligible": "eligible",
        "possibly_eligible": "possibly eligible",
        "ineligible": "ineligible",
    }
    counts = ", ".join(f"{words[k]} {v:,}" for k, v in screening.verdicts.items())
    return f'<text x="8" y="38">{escape(counts)}</text>'


def write_chart(screening: Screening, path: Path) -> None:
    """An ``.svg`` file, or an ``.html`` page around the SVG; written whole or not at all."""
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".html", ".htm"):
        raise ValueError(f"{path}: the funnel chart is written as .svg or .html")
    svg = funnel_svg(screening)
    if suffix == ".svg":
        text = svg
    else:
        gaps = "".join(
            f"<li>{escape(g.criterion)}: {escape(g.text)} ({escape(g.reason)})</li>"
            for g in screening.gaps
        )
        note = f"<p>Counted as unknown (not expressible in SQL):</p><ul>{gaps}</ul>" if gaps else ""
        text = (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{escape(screening.trial_id)} screening funnel</title></head>"
            f"<body>{svg}{note}</body></html>"
        )
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
