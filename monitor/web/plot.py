"""Server-side SVG charts (no JS, no build step): open findings per severity, check outcomes per day.

Served as image/svg+xml through <img>, so even a hostile label could not script the dashboard; labels
are XML-escaped anyway.
"""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from monitor.severity import Severity

SEVERITY_COLOURS = {
    Severity.CRITICAL: "#7f1d1d",
    Severity.HIGH: "#dc2626",
    Severity.MEDIUM: "#f59e0b",
    Severity.LOW: "#3b82f6",
    Severity.INFO: "#9ca3af",
}
STATUS_COLOURS = {"ok": "#16a34a", "blocked": "#f59e0b", "failing": "#dc2626"}
WIDTH, HEIGHT, PAD_L, PAD_B, PAD_T, PAD_R = 760, 270, 44, 40, 46, 12


def stacked_bars(series: dict[date, dict[str, int]], colours: dict[str, str], title: str) -> str:
    """A stacked bar per day, one colour per key, with a legend and a y axis; empty data says so."""
    days = list(series)
    top = max((sum(v.get(k, 0) for k in colours) for v in series.values()), default=0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text x="{PAD_L}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    x = PAD_L  # the legend gets its own line under the title, so a long title never runs into it
    for key, colour in colours.items():
        out.append(f'<rect x="{x}" y="24" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="33">{escape(key)}</text>')
        x += 14 + 8 * len(key) + 12
    plot_h = HEIGHT - PAD_T - PAD_B
    plot_w = WIDTH - PAD_L - PAD_R
    out.append(f'<line x1="{PAD_L}" y1="{PAD_T + plot_h}" x2="{PAD_L + plot_w}" y2="{PAD_T + plot_h}" stroke="#555"/>')
    if not days or top == 0:
        out.append(f'<text x="{PAD_L + 10}" y="{PAD_T + plot_h / 2}">no data in this period</text></svg>')
        return "".join(out)
    for i in range(5):
        value = round(top * i / 4)
        y = PAD_T + plot_h - plot_h * value / top
        out.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{PAD_L + plot_w}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    slot = plot_w / len(days)
    bar = max(1.0, slot * 0.7)
    for n, day in enumerate(days):
        x0 = PAD_L + n * slot + (slot - bar) / 2
        y = PAD_T + plot_h
        for key, colour in colours.items():
            count = series[day].get(key, 0)
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            out.append(
                f'<rect x="{x0:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(day.isoformat())} {escape(key)}: {count}</title></rect>"
            )
        if len(days) <= 10 or n % max(1, len(days) // 8) == 0:
            out.append(
                f'<text x="{x0 + bar / 2:.1f}" y="{PAD_T + plot_h + 16}" text-anchor="middle">'
                f"{escape(day.strftime('%m-%d'))}</text>"
            )
    out.append("</svg>")
    return "".join(out)


def findings_chart(series: dict[date, dict[str, int]]) -> str:
    return stacked_bars(series, SEVERITY_COLOURS, "Open findings at the end of each day, by severity")


def checks_chart(series: dict[date, dict[str, int]]) -> str:
    return stacked_bars(series, STATUS_COLOURS, "Checks per day by outcome")
