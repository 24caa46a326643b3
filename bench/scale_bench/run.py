"""Scale benchmark: ticket_system and OCA helpdesk_mgmt side by side at 10 k,
100 k (and, opt-in, 1 M) tickets. Started by bench/scale (which finds Odoo,
PostgreSQL and helpdesk_mgmt's wheel); run with the Odoo Python:

    bench/scale [--sizes 10000,100000] [--runs 5] [--explain] [--keep]

For each product a template database is installed once (with demo data); for
each size a copy is filled by SQL (bench/scale_bench/fill.py: 50 k customers,
85 % closed, six queues, two messages and two followers per ticket), analyzed,
and measured in this process, as an agent (record rules on: a member of three
of the six queues) and as a manager, one operation at a time, ours and theirs
alternating: each operation's median wall time and its query count over
BENCH_RUNS runs, each run on a fresh cursor with empty ORM caches (the
registry stays warm, as in a running server). The operations are the requests
the web client sends:

  kanban     the tickets' kanban, first load: web_read_group by status of the
             open tickets, then web_search_read (40 cards) of each unfolded
             column, with the fields of the product's kanban view
  list       first page (80) of the open tickets with the list view's fields
  number     the search view's ticket number (a whole number as typed)
  refs       several customer numbers at once (ours; theirs: commercial partner)
  email      a customer's e-mail address
  content    a rarer word of the content (ours: description and mail bodies;
             theirs: description, the only content field of its search view)
  button     the customer's ticket smart button: its count, then the list
  queues     the queue dashboard (theirs: the team dashboard), its kanban
  stats      the statistics dashboard (no equivalent in helpdesk_mgmt)
  ingest     100 mails through message_process as the fetchmail cron does
             (context fetchmail_cron_running, one commit per mail), 70 % new,
             30 % replies by headers; agent/manager does not apply

The searches run on the whole history (no "Open" filter). Results are printed,
written to bench/results/scale.json and drawn in bench/results/scale.png.
With --explain (BENCH_EXPLAIN=1), EXPLAIN (ANALYZE, BUFFERS) of the slowest
query of each operation is printed. Every query plan of the search operations
is checked for sequential scans of the ticket and message tables ("seqscan").
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import fill  # noqa: E402
import plot  # noqa: E402

PRODUCTS = ("ticket", "helpdesk")
MODULE = {"ticket": "ticket_system", "helpdesk": "helpdesk_mgmt"}
TICKET_MODEL = {"ticket": "ticket.ticket", "helpdesk": "helpdesk.ticket"}
SEARCH_OPS = ("number", "refs", "email", "content", "button")
SCANNED = ("ticket_ticket", "helpdesk_ticket", "mail_message")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# databases
# ---------------------------------------------------------------------------


def psql(sql, db="postgres"):
    import psycopg2

    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(sql)
    conn.close()


def exists(db):
    import psycopg2

    conn = psycopg2.connect(dbname="postgres")
    with conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        found = cr.fetchone() is not None
    conn.close()
    return found


def drop(db):
    from odoo.sql_db import close_db

    close_db(db)
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def install_template(args, product):
    """A fresh database with the product (and demo data), once per run."""
    db = f"scale_{product}_tpl"
    if args.reuse and exists(db):
        return db
    drop(db)
    log(f"==> installing {MODULE[product]} into {db}")
    cmd = shlex.split(args.odoo_bin) + [
        "-c",
        args.conf,
        "--addons-path",
        args.addons_path,
        "-d",
        db,
        "-i",
        MODULE[product],
        "--stop-after-init",
        "--no-http",
        "--log-level=warn",
        f"--logfile={REPO / '.run' / f'scale-install-{product}.log'}",
    ]
    subprocess.run(cmd, check=True)
    return db


def registry_of(db):
    from odoo.modules.registry import Registry

    return Registry(db)


def prepare(args, product, size, template):
    """A copy of the template filled with SIZE tickets; returns its facts."""
    import odoo
    from odoo import api

    db = f"scale_{product}_{size}"
    drop(db)
    psql(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
    # PostgreSQL's JIT (on by default) compiles every query whose estimated
    # cost passes 100 000: for an ERP's short queries it costs more than it
    # saves (680 of 726 ms of a statistics query at 100 k tickets, because
    # the agents' rule's EXISTS alternatives are costed per row). Off for
    # both products, as the README recommends for production
    psql(f'ALTER DATABASE "{db}" SET jit = off')
    log(f"==> filling {db} with {size} tickets")
    start = time.time()
    registry = registry_of(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        queues, agents, agent, manager = fill.create_people(env, product)
        first_customer = fill.fill_customers(env)
        fill.fill_tickets(env, product, size, first_customer, queues, agents)
        env.flush_all()
        cr.commit()
    with registry.cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE")
    facts = {
        "db": db,
        "queues": queues,
        "agent": agent,
        "manager": manager,
        "first_customer": first_customer,
        "fill_s": round(time.time() - start, 1),
    }
    log(f"    filled in {facts['fill_s']} s")
    return facts


# ---------------------------------------------------------------------------
# query capture
# ---------------------------------------------------------------------------


class Capture:
    """Records every statement (SQL, params, seconds) while active."""

    active = None

    def __init__(self):
        self.queries = []

    @classmethod
    def install(cls):
        from odoo import sql_db

        execute = sql_db.Cursor.execute

        def recording_execute(self, query, params=None, log_exceptions=True):
            capture = cls.active
            if capture is None:
                return execute(self, query, params, log_exceptions)
            start = time.perf_counter()
            try:
                return execute(self, query, params, log_exceptions)
            finally:
                capture.queries.append(
                    (query, params, time.perf_counter() - start, self.dbname)
                )

        sql_db.Cursor.execute = recording_execute

    def __enter__(self):
        Capture.active = self
        return self

    def __exit__(self, *exc):
        Capture.active = None


def query_text(query, params):
    from odoo.tools import SQL

    if isinstance(query, SQL):
        return query.code, query.params
    return query, params


# ---------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------


SPECS = {}


def view_spec(env, model, view_type):
    """The web client's specification for the fields of a view (loaded once
    per database, as the web client caches its views: the first, discarded
    run of each operation loads it)."""
    key = (env.cr.dbname, model, view_type)
    if key not in SPECS:
        SPECS[key] = _view_spec(env, model, view_type)
    return SPECS[key]


def _view_spec(env, model, view_type):
    views = env[model].get_views([(False, view_type)])
    fields = views["models"][model]["fields"]
    spec = {}
    for name, desc in fields.items():
        if desc["type"] in ("many2one", "many2many", "one2many"):
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


class Ops:
    """The requests of one product's views, given the facts of its database."""

    def __init__(self, product, facts, size):
        self.product = product
        self.facts = facts
        self.size = size
        self.model = TICKET_MODEL[product]
        self.ours = product == "ticket"
        # a ticket in the middle of the history, a customer with tickets
        # tickets in the middle of the history, in the agent's queues
        g = fill.visible_row(size // 2)
        self.number = "T" + str(1000000 + g).zfill(7)
        n = fill.CUSTOMERS
        self.refs = [
            str(100000 + 1 + (k * 7919) % n) for k in (fill.visible_row(size // 3), g)
        ]
        self.customer_email = f"kunde{1 + (g * 7919) % n}@kunden.example"
        self.customer = facts["first_customer"] + (g * 7919) % n

    def open_domain(self):
        return [("is_closed", "=", False)] if self.ours else [("closed", "=", False)]

    def kanban(self, env):
        Model = env[self.model]
        spec = view_spec(env, self.model, "kanban")
        domain = self.open_domain()
        groups = Model.web_read_group(domain, ["color"], ["stage_id"], lazy=True)
        for group in groups["groups"]:
            if group.get("__fold"):
                continue
            Model.web_search_read(group["__domain"], spec, limit=40, count_limit=10001)

    def _list(self, env, domain):
        spec = view_spec(env, self.model, "list")
        env[self.model].web_search_read(domain, spec, limit=80, count_limit=10001)

    def list(self, env):
        self._list(env, self.open_domain())

    def number_search(self, env):
        if self.ours:
            domain = [("number_search", "=", self.number)] + self.open_domain()
        else:
            domain = [
                "|",
                ("number", "ilike", self.number),
                ("name", "ilike", self.number),
            ]
        self._list(env, domain)

    def refs_search(self, env):
        if self.ours:
            domain = [("partner_ref", "=", ", ".join(self.refs))]
        else:
            # its search view has no customer number: one commercial partner
            # name search per number, ORed, as a user would do it
            domain = ["|"] * (len(self.refs) - 1) + [
                ("commercial_partner_id.ref", "=", ref) for ref in self.refs
            ]
        self._list(env, domain)

    def email_search(self, env):
        self._list(env, [("partner_email", "ilike", self.customer_email)])

    def content_search(self, env):
        word = fill.RARE
        if self.ours and "content_search" in env[self.model]._fields:
            domain = [("content_search", "ilike", word)]
        elif self.ours:
            domain = [
                "|",
                ("description", "ilike", word),
                ("message_ids.body", "ilike", word),
            ]
        else:
            domain = [("description", "ilike", word)]
        self._list(env, domain)

    def button(self, env):
        partner = env["res.partner"].browse(self.customer)
        if self.ours:
            partner.web_read({"ticket_count": {}})
            action = partner.action_view_tickets()
            domain = action["domain"]
        else:
            partner.web_read(
                {"helpdesk_ticket_count": {}, "helpdesk_ticket_count_string": {}}
            )
            domain = [("partner_id", "child_of", partner.id)]
        self._list(env, domain)

    def queues(self, env):
        model = "ticket.queue" if self.ours else "helpdesk.ticket.team"
        spec = view_spec(env, model, "kanban")
        env[model].web_search_read([], spec, limit=40, count_limit=10001)

    def stats(self, env):
        env["ticket.ticket"].get_dashboard_data()

    def operations(self):
        ops = {
            "kanban": self.kanban,
            "list": self.list,
            "number": self.number_search,
            "refs": self.refs_search,
            "email": self.email_search,
            "content": self.content_search,
            "button": self.button,
            "queues": self.queues,
        }
        if self.ours:
            ops["stats"] = self.stats
        return ops


def measure(registry, uid, op, runs):
    """Median seconds and the query count of the last run (all runs alike
    but the first, which may fill the registry's caches: it is discarded)."""
    import odoo
    from odoo import api

    times, counts, last = [], [], None
    for _run in range(runs + 1):
        with registry.cursor() as cr:
            env = api.Environment(
                cr, uid, {"lang": "en_US", "tz": "Europe/Berlin", "bin_size": True}
            )
            env = env(context=dict(env.context, allowed_company_ids=[env.company.id]))
            with Capture() as capture:
                start = time.perf_counter()
                op(env)
                env.flush_all()
                elapsed = time.perf_counter() - start
            cr.rollback()
        times.append(elapsed)
        counts.append(len(capture.queries))
        last = capture
    del odoo
    return {
        "ms": round(statistics.median(times[1:]) * 1000, 1),
        "queries": counts[-1],
    }, last


def check_plans(registry, capture, explain):
    """Sequential scans of the big tables in any plan of the captured
    queries; with explain, EXPLAIN (ANALYZE, BUFFERS) of the slowest one."""
    seqscans = set()
    slowest = max(capture.queries, key=lambda q: q[2], default=None)
    with registry.cursor() as cr:
        for query, params, _secs, _db in capture.queries:
            code, params = query_text(query, params)
            if not code.lstrip().upper().startswith("SELECT"):
                continue
            cr.execute("EXPLAIN " + code, params)
            plan = "\n".join(row[0] for row in cr.fetchall())
            for table in SCANNED:
                if f"Seq Scan on {table} " in plan or plan.endswith(
                    f"Seq Scan on {table}"
                ):
                    seqscans.add(table)
        text = None
        if explain and slowest:
            code, params = query_text(slowest[0], slowest[1])
            if code.lstrip().upper().startswith("SELECT"):
                cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + code, params)
                text = (
                    cr.mogrify(code, params).decode()
                    + "\n"
                    + "\n".join(row[0] for row in cr.fetchall())
                )
        cr.rollback()
    return sorted(seqscans), text


# ---------------------------------------------------------------------------
# ingest
# ---------------------------------------------------------------------------


def ingest(registry, product, facts, count=100):
    """COUNT mails to the first queue's address through message_process as
    fetchmail does: 70 % new tickets, 30 % replies by In-Reply-To."""
    import odoo
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        model = "ticket.queue" if product == "ticket" else "helpdesk.ticket.team"
        queue = env[model].browse(facts["queues"][0])
        to = queue.alias_id.display_name
    sent = []
    queries = 0
    start = time.perf_counter()
    stamp = int(time.time())
    for index in range(count):
        customer = 1 + (index * 104729) % fill.CUSTOMERS
        msg_id = f"<scale-{stamp}-{index}@kunden.example>"
        headers = ""
        subject = f"Frage {index} zur Bestellung B{800000 + index}"
        if index % 10 in (3, 6, 9) and sent:
            parent = sent[(index * 7) % len(sent)]
            headers = f"In-Reply-To: {parent}\nReferences: {parent}\n"
            subject = "Re: " + subject
        raw = (
            f"From: Kunde {customer} <kunde{customer}@kunden.example>\n"
            f"To: {to}\nSubject: {subject}\nMessage-ID: {msg_id}\n{headers}"
            "Date: Mon, 30 Nov 2026 10:00:00 +0100\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            "Guten Tag,\nwo bleibt mein Paket? Viele Grüße\n"
        ).encode()
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            with Capture() as capture:
                env["mail.thread"].with_context(
                    fetchmail_cron_running=True
                ).message_process(False, raw)
                env.flush_all()
                cr.commit()
            queries += len(capture.queries)
        sent.append(msg_id)
    elapsed = time.perf_counter() - start
    return {
        "mails_per_s": round(count / elapsed, 1),
        "queries_per_mail": round(queries / count, 1),
    }


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conf", required=True)
    parser.add_argument("--odoo-bin", required=True)
    parser.add_argument("--hd-addons", default="")
    parser.add_argument(
        "--sizes", default=os.environ.get("BENCH_SIZES", "10000,100000")
    )
    parser.add_argument(
        "--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 5))
    )
    parser.add_argument(
        "--explain", action="store_true", default=bool(os.environ.get("BENCH_EXPLAIN"))
    )
    # development: keep the installed templates of an earlier --keep run
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--keep", action="store_true", default=bool(os.environ.get("BENCH_KEEP"))
    )
    parser.add_argument(
        "--products", default=os.environ.get("BENCH_PRODUCTS", ",".join(PRODUCTS))
    )
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "scale.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    products = [p for p in args.products.split(",") if p in PRODUCTS]
    if "helpdesk" in products and not args.hd_addons:
        products.remove("helpdesk")

    import odoo

    argv = ["-c", args.conf, "--log-level=warn", "--no-http"]
    odoo.tools.config.parse_config(argv)
    addons_path = odoo.tools.config["addons_path"]
    if args.hd_addons:
        addons_path += "," + args.hd_addons
        odoo.tools.config.parse_config(argv + ["--addons-path", addons_path])
    args.addons_path = addons_path
    odoo.modules.module.initialize_sys_path()
    Capture.install()

    templates = {product: install_template(args, product) for product in products}
    results = {
        "sizes": sizes,
        "runs": args.runs,
        "products": products,
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "results": {},
    }
    explains = []
    for size in sizes:
        facts = {p: prepare(args, p, size, templates[p]) for p in products}
        registries = {p: registry_of(facts[p]["db"]) for p in products}
        ops = {p: Ops(p, facts[p], size) for p in products}
        size_result = {
            p: {"agent": {}, "manager": {}, "fill_s": facts[p]["fill_s"]}
            for p in products
        }
        for name in ops[products[0]].operations():
            for role in ("agent", "manager"):
                for product in products:
                    op = ops[product].operations().get(name)
                    if op is None:
                        continue
                    figure, capture = measure(
                        registries[product], facts[product][role], op, args.runs
                    )
                    seqscans, text = check_plans(
                        registries[product], capture, args.explain
                    )
                    if name in SEARCH_OPS or seqscans:
                        figure["seqscan"] = seqscans
                    size_result[product][role][name] = figure
                    log(
                        f"  {size:>8} {product:8} {role:7} {name:8} "
                        f"{figure['ms']:9.1f} ms {figure['queries']:4} queries"
                        + (f"  seq scan: {', '.join(seqscans)}" if seqscans else "")
                    )
                    if text:
                        explains.append((size, product, role, name, text))
                        print(
                            f"\n--- {size} {product} {role} {name}: slowest query\n{text}\n"
                        )
        for product in products:
            size_result[product]["ingest"] = figure = ingest(
                registries[product], product, facts[product]
            )
            log(
                f"  {size:>8} {product:8} ingest  {figure['mails_per_s']:6.1f} mails/s "
                f"{figure['queries_per_mail']:6.1f} queries/mail"
            )
        results["results"][str(size)] = size_result
        if not args.keep:
            for product in products:
                registries[product].delete(facts[product]["db"])
                drop(facts[product]["db"])
    if not args.keep:
        for template in templates.values():
            drop(template)

    report = plot.table(results)
    print(report)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    plot.draw(results, out.with_suffix(".png"))
    log(f"==> written {out} and {out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
