"""Side by side: the ingest figures of ticket_system and helpdesk_mgmt.

    python3 compare.py WORK_DIR RESULT_JSON

Reads WORK_DIR/<target>.json (written by measure.py), prints both systems and
the ratios against the goals of issue 14 (≥ 1.5× helpdesk_mgmt's mails/s at
≤ 0.75× its queries per mail), and writes everything to RESULT_JSON.
"""

import datetime
import json
import os
import platform
import sys

GOAL_SPEED = 1.5
GOAL_QUERIES = 0.75
KINDS = ("new", "header", "tag")


def main(work, result_path):
    results = {}
    for target in ("ticket_system", "helpdesk_mgmt"):
        path = os.path.join(work, f"{target}.json")
        if os.path.exists(path):
            with open(path) as file:
                results[target] = json.load(file)
    if "ticket_system" not in results:
        print("no ticket_system result")
        return 1
    ours = results["ticket_system"]
    print(
        f"\n== mail ingest, {ours['mails']} mails (70 % new, 15 % replies by headers, "
        "15 % by subject tag), fetchmail path, COMMIT per mail, mail queue included"
    )
    rows = [
        ("mails/s", "mails_per_second", "{:.1f}"),
        ("ms per mail", "ms_per_mail", "{:.1f}"),
        ("queries per mail", "queries_per_mail", "{:.1f}"),
        ("mails queued per mail", "queued_per_mail", "{:.2f}"),
    ]
    names = list(results)
    print(f"{'':<26}" + "".join(f"{name:>16}" for name in names) + f"{'ratio':>10}")
    theirs = results.get("helpdesk_mgmt")
    for label, key, fmt in rows:
        line = f"{label:<26}" + "".join(
            f"{fmt.format(results[name][key]):>16}" for name in names
        )
        if theirs and theirs[key]:
            line += f"{ours[key] / theirs[key]:10.2f}"
        print(line)
    for kind in KINDS:
        for label, key in (("q", "queries_per_mail"), ("ms", "ms_per_mail")):
            line = f"{kind + ' ' + label + '/mail':<26}" + "".join(
                f"{results[name]['by_kind'][kind][key]:16.1f}" for name in names
            )
            if theirs and theirs["by_kind"][kind][key]:
                line += (
                    f"{ours['by_kind'][kind][key] / theirs['by_kind'][kind][key]:10.2f}"
                )
            print(line)
    summary = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "results": results,
    }
    if theirs:
        speed = ours["mails_per_second"] / theirs["mails_per_second"]
        queries = ours["queries_per_mail"] / theirs["queries_per_mail"]
        summary["ratios"] = {"mails_per_second": speed, "queries_per_mail": queries}
        summary["goals"] = {
            "mails_per_second": {"goal": GOAL_SPEED, "met": speed >= GOAL_SPEED},
            "queries_per_mail": {"goal": GOAL_QUERIES, "met": queries <= GOAL_QUERIES},
        }
        print(
            f"\ngoal mails/s ≥ {GOAL_SPEED}× helpdesk_mgmt: {speed:.2f}× - "
            f"{'met' if speed >= GOAL_SPEED else 'NOT met'}"
        )
        print(
            f"goal queries/mail ≤ {GOAL_QUERIES}× helpdesk_mgmt: {queries:.2f}× - "
            f"{'met' if queries <= GOAL_QUERIES else 'NOT met'}"
        )
        print(
            "no equivalent in helpdesk_mgmt: the confirmation to the sender "
            f"(ours queue {ours['queued_per_mail']:.2f} mails per mail, theirs "
            f"{theirs['queued_per_mail']:.2f}); threading by the subject tag "
            f"(their tag replies: {theirs['tag_outcome']}); loop guards, "
            "customer matching by address and customer number, document links"
        )
    os.makedirs(os.path.dirname(result_path), exist_ok=True)
    with open(result_path, "w") as file:
        json.dump(summary, file, indent=1)
    print(f"\nwritten: {result_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
