"""Grouped bar charts as hand-written SVG (no plotting library needed)."""
from xml.sax.saxutils import escape

# Colour per system, in legend order; anything else cycles through EXTRA.
COLOURS = {"slmc fp32": "#1f77b4", "ONNX Runtime": "#ff7f0e", "PyTorch": "#2ca02c"}
EXTRA = ["#9467bd", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]


def _nice_max(v):
    """The smallest 1/2/2.5/5 x 10^k at or above v."""
    if v <= 0:
        return 1.0
    k = 1.0
    while k * 10 <= v:
        k *= 10
    while k > v:
        k /= 10
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * k >= v:
            return m * k
    return 10 * k


def _fmt(v):
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.3g" % v


def bar_chart(title, unit, groups, series, values, note=""):
    """groups: x labels; series: bar labels (legend); values[(group, series)] =
    (median, min, max) or missing. Higher-is-better or not is the caller's
    business (say so in `note`). Returns the SVG text."""
    colours = {}
    extra = iter(EXTRA * 4)
    for s in series:
        colours[s] = COLOURS.get(s) or next(extra)
    bar_w, gap = 34, 26
    group_w = max(1, len(series)) * bar_w + gap
    left, top, plot_h = 70, 50, 260
    legend_h = 18 * len(series) + 10
    width = max(480, left + group_w * max(1, len(groups)) + 20)
    height = top + plot_h + 90 + legend_h
    vmax = _nice_max(max([v[2] for v in values.values() if v] + [0]) or 1)
    y = lambda v: top + plot_h - plot_h * (v / vmax)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>' % (left, escape(title)),
           '<text x="%d" y="36" fill="#555">%s</text>' % (left, escape(note))]
    for i in range(6):
        v = vmax * i / 5
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>'
                   % (left, width - 10, y(v), y(v)))
        out.append('<text x="%d" y="%.1f" text-anchor="end" fill="#333">%s</text>'
                   % (left - 6, y(v) + 4, _fmt(v)))
    out.append('<text transform="translate(14,%d) rotate(-90)" text-anchor="middle">%s</text>'
               % (top + plot_h // 2, escape(unit)))
    for gi, g in enumerate(groups):
        x0 = left + gap // 2 + gi * group_w
        for si, s in enumerate(series):
            v = values.get((g, s))
            if not v:
                continue
            med, lo, hi = v
            x = x0 + si * bar_w
            out.append('<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s">'
                       '<title>%s, %s: %s %s (min %s, max %s)</title></rect>'
                       % (x, y(med), bar_w - 3, top + plot_h - y(med), colours[s], escape(g),
                          escape(s), _fmt(med), escape(unit), _fmt(lo), _fmt(hi)))
            if hi > lo:  # min-max whisker
                cx = x + (bar_w - 3) / 2
                out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="black"/>'
                           % (cx, cx, y(lo), y(hi)))
            out.append('<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9">%s</text>'
                       % (x + (bar_w - 3) / 2, y(max(med, hi)) - 3, _fmt(med)))
        for li, line in enumerate(g.split("\n")):
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                       % (x0 + (group_w - gap) / 2, top + plot_h + 16 + 13 * li, escape(line)))
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="black"/>'
               % (left, width - 10, top + plot_h, top + plot_h))
    ly = top + plot_h + 56
    for si, s in enumerate(series):
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>'
                   % (left, ly + 18 * si, colours[s]))
        out.append('<text x="%d" y="%d">%s</text>' % (left + 18, ly + 18 * si + 10, escape(s)))
    out.append("</svg>")
    return "\n".join(out) + "\n"
