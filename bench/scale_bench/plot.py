"""The scale benchmark's report: a text table and a PNG plot drawn with Pillow
(Odoo's own dependency: no plotting library needed)."""

import math

OPS = (
    "kanban",
    "list",
    "number",
    "refs",
    "email",
    "content",
    "button",
    "queues",
    "stats",
)
COLORS = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
]


def table(results):
    lines = []
    products = results["products"]
    both = len(products) == 2
    for size in results["sizes"]:
        res = results["results"][str(size)]
        lines.append(f"\n== {size:,} tickets (median of {results['runs']} runs) ==")
        head = f"{'operation':18}" + "".join(
            f"{p + ' ms':>14}{'q':>5}" for p in products
        )
        lines.append(head + ("   ours/theirs" if both else ""))
        for role in ("agent", "manager"):
            for op in OPS:
                figures = [res[p][role].get(op) for p in products]
                if figures[0] is None:
                    continue
                row = f"{op + ' (' + role + ')':18}"
                for figure in figures:
                    if figure is None:
                        row += f"{'-':>14}{'-':>5}"
                    else:
                        flag = " S" if figure.get("seqscan") else ""
                        row += f"{figure['ms']:>12.1f}{flag:2}{figure['queries']:>5}"
                if both and figures[1]:
                    row += f"{figures[0]['ms'] / max(figures[1]['ms'], 0.01):>14.2f}"
                lines.append(row)
        row = f"{'ingest mails/s':18}"
        for p in products:
            ing = res[p]["ingest"]
            row += f"{ing['mails_per_s']:>14.1f}{ing['queries_per_mail']:>5.0f}"
        if both:
            ratio = res[products[0]]["ingest"]["mails_per_s"] / max(
                res[products[1]]["ingest"]["mails_per_s"], 0.01
            )
            row += f"{ratio:>14.2f}"
        lines.append(row)
    lines.append("\nS: a sequential scan of the ticket or message table in a plan")
    return "\n".join(lines)


def draw(results, path):
    """Two panels (ms, queries) per role against the number of tickets (log
    scale), one colour per operation, ours solid, theirs thin."""
    from PIL import Image, ImageDraw

    sizes = results["sizes"]
    products = results["products"]
    width, height = 1400, 1000
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    panels = [
        ("agent", "ms", "agent: wall time (ms, log)"),
        ("agent", "queries", "agent: SQL queries"),
        ("manager", "ms", "manager: wall time (ms, log)"),
        ("manager", "queries", "manager: SQL queries"),
    ]
    pw, ph = 560, 380
    origins = [(90, 60), (770, 60), (90, 540), (770, 540)]
    pen.text(
        (20, 15),
        "ticket_system (thick) vs helpdesk_mgmt (thin), by number of tickets",
        fill="black",
    )
    xs = {size: i for i, size in enumerate(sizes)}
    for (role, key, title), (ox, oy) in zip(panels, origins, strict=True):
        values = [
            results["results"][str(s)][p][role][op][key]
            for s in sizes
            for p in products
            for op in OPS
            if op in results["results"][str(s)][p][role]
        ]
        if not values:
            continue
        log_scale = key == "ms"
        lo = min(values) if not log_scale else max(min(values), 0.5)
        hi = max(values)
        if log_scale:
            lo, hi = math.log10(lo), math.log10(hi) + 0.05
        else:
            lo, hi = 0, hi * 1.1 + 1

        def ypos(v, lo=lo, hi=hi, log_scale=log_scale, oy=oy):
            if log_scale:
                v = math.log10(max(v, 0.5))
            return oy + ph - (v - lo) / ((hi - lo) or 1) * ph

        def xpos(size, ox=ox):
            return ox + (xs[size] / max(len(sizes) - 1, 1)) * pw

        pen.rectangle([ox, oy, ox + pw, oy + ph], outline="black")
        pen.text((ox, oy - 18), title, fill="black")
        for size in sizes:
            pen.text((xpos(size) - 20, oy + ph + 5), f"{size:,}", fill="black")
        ticks = 5
        for t in range(ticks + 1):
            v = lo + (hi - lo) * t / ticks
            label = 10**v if log_scale else v
            y = oy + ph - ph * t / ticks
            pen.line([ox - 4, y, ox, y], fill="black")
            pen.text((ox - 60, y - 6), f"{label:8.0f}", fill="black")
        for index, op in enumerate(OPS):
            color = COLORS[index % len(COLORS)]
            for pi, product in enumerate(products):
                points = [
                    (xpos(s), ypos(results["results"][str(s)][product][role][op][key]))
                    for s in sizes
                    if op in results["results"][str(s)][product][role]
                ]
                if len(points) > 1:
                    pen.line(points, fill=color, width=4 if pi == 0 else 1)
                for x, y in points:
                    r = 4 if pi == 0 else 2
                    pen.ellipse([x - r, y - r, x + r, y + r], fill=color)
    # legend
    lx, ly = 90, 960
    for index, op in enumerate(OPS):
        color = COLORS[index % len(COLORS)]
        pen.rectangle([lx, ly, lx + 14, ly + 14], fill=color)
        pen.text((lx + 20, ly), op, fill="black")
        lx += 130
    image.save(path)
