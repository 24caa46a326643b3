"""Mail ingest benchmark: raw mails through the mail gateway into tickets.

Runs inside `odoo shell` (`make bench`, see scripts/bench.sh), where `env` is
the superuser environment of a database with ticket_system installed:

    odoo-bin shell -c odoo.conf -d DB --no-http --log-level=warn < bench/ingest.py

If OCA's helpdesk_mgmt (18.0) is installed in the same database, the same load
then runs against it for comparison (see TARGETS), after a rollback; otherwise
that run prints "helpdesk_mgmt is not installed: skipped". helpdesk_mgmt is not
a dependency of this project: install it only into a throw-away database, with
an addons_path entry pointing at a directory that holds its helpdesk_mgmt folder
(e.g. unpacked from OCA's wheel odoo-addon-helpdesk-mgmt, under odoo/addons/).

Feeds BENCH_MAILS raw mails (default 1000) to a queue's address through
env["mail.thread"].message_process, as the mailgate script does (the fetchmail
cron adds a savepoint per mail): 70% open new tickets, 30% are replies, half of
them threaded by their In-Reply-To/References headers (naming an earlier
incoming Message-Id), half only by the ticket tag [T.....] in the subject,
with no reply header. Each batch of BENCH_BATCH mails (default 250) has the
same mix. Two senders in five are known customers (res.partner), three unknown
addresses; customers write again in turn, so later batches meet senders with
several tickets. Replies answer tickets opened a while before, never the last
few (a reply within the same second changes no date: fewer writes).

After each mail the transaction is flushed (pending writes and precommit hooks:
tracking, followers) and the cache cleared, as fetchmail's commit after each
mail does; nothing is committed and all is rolled back at the end. WARMUP new
mails come first, unmeasured, so that Odoo's caches are warm. BENCH_PRELOAD=N
first creates N plain tickets (default 0): does a larger table slow ingest?

Prints, for each target, mails/s and SQL queries per mail for each batch and
kind of mail, the outgoing mails (mail.mail: autoresponse, notifications) each
kind of mail queued, the statements whose count per mail differs between the
first and the last batch (a count growing with the data is a bug: it scales
with the database), and the slowest statements. Exits non-zero if a mail is
threaded wrong or does not open its ticket. helpdesk_mgmt threads by headers
only: a reply with only the ticket number in the subject ("Re: [HT00042] ...")
opens a new ticket there. That is counted, not an error: the "tag" columns show
the cost of what helpdesk_mgmt does with such a mail, and the report says where
those mails went.
"""

import collections
import contextlib
import os
import random
import re
import sys
import threading
import time
import uuid
from email.header import Header
from email.utils import formataddr, formatdate

if "env" not in globals():
    sys.exit("run inside odoo shell: odoo-bin shell -d DB --no-http < bench/ingest.py")

MAILS = int(os.environ.get("BENCH_MAILS", 1000))
BATCH = int(os.environ.get("BENCH_BATCH", 250))
PRELOAD = int(os.environ.get("BENCH_PRELOAD", 0))
WARMUP = 50
RECENT = 10  # replies skip the newest tickets of their sender pool
NEW_SHARE = 0.7
KINDS = ("new", "header", "tag")

SUBJECTS = [
    "Rücksendung: Größe L passt nicht",
    "Lieferung noch nicht angekommen",
    "Rechnung doppelt abgebucht",
    "Umtausch gegen andere Farbe möglich?",
    "Adressänderung für Bestellung",
    "Gutschein lässt sich nicht einlösen",
    "Ware beschädigt geliefert",
    "Frage zur Lieferzeit",
    "Stornierung meiner Bestellung",
    "Fehlende Teile im Paket",
]
BODIES = [
    "Guten Tag,\n\nmeine Bestellung {order} ist noch nicht angekommen. "
    "Können Sie bitte nachsehen, wo sie bleibt?\n\nViele Grüße\n{name}\n",
    "Hallo,\n\ndie Ware aus Auftrag {order} war beim Auspacken beschädigt. "
    "Fotos kann ich gern schicken.\n\nMit freundlichen Grüßen\n{name}\n",
    "Sehr geehrte Damen und Herren,\n\nbitte tauschen Sie den Artikel aus "
    "Bestellung {order} um. Größe M wäre besser.\n\nDanke und Gruß\n{name}\n",
]
REPLY_BODY = (
    "Hallo,\n\nhier noch eine Ergänzung zu meiner Anfrage: {order}.\n\nGruß\n{name}\n"
)


# What differs between the systems under test. "values" are a preloaded
# ticket's creation values (BENCH_PRELOAD), without the container field;
# "tag_threads": a reply with only the ticket tag in its subject must reach its
# ticket (else it is only classified); "check": a container's expected setup.
TARGETS = [
    {
        "module": "ticket_system",
        "title": "mail ingest",
        "ticket": "ticket.ticket",
        "tickets": "tickets",
        "container": "ticket.queue",
        "container_noun": "queue",
        "field": "queue_id",
        "values": lambda index: {
            "name": f"Altfall {index}",
            "partner_email": f"altkunde{index % 5000}@kunden.example",
            "channel": "email",
        },
        "tag_threads": True,
        "check": lambda queue: queue.autoresponder
        or "the default queue confirms new tickets",
    },
    {
        "module": "helpdesk_mgmt",
        "title": "mail ingest (OCA helpdesk_mgmt)",
        "ticket": "helpdesk.ticket",
        "tickets": "helpdesk tickets",
        "container": "helpdesk.ticket.team",
        "container_noun": "team",
        "field": "team_id",
        "values": lambda index: {
            "name": f"Altfall {index}",
            "description": "<p>Altfall</p>",
            "partner_email": f"altkunde{index % 5000}@kunden.example",
        },
        "tag_threads": False,
        "check": lambda team: True,
    },
]


def _installed(env, target):
    return target["ticket"] in env and bool(
        env["ir.module.module"].search_count(
            [("name", "=", target["module"]), ("state", "=", "installed")]
        )
    )


def _mail(msg_id, from_name, from_email, to, subject, body, extra=""):
    """A raw RFC 822 mail as an MTA hands it over: 8-bit UTF-8 body, RFC 2047 headers."""
    return (
        f"Return-Path: <{from_email}>\r\n"
        f"Received: from mx.kunden.example by mx.bench.example (Postfix)\r\n"
        f"\tfor <{to}>; {formatdate(localtime=True)}\r\n"
        f"From: {formataddr((from_name, from_email))}\r\n"
        f"To: {to}\r\n"
        f"Subject: {Header(subject, 'utf-8').encode()}\r\n"
        f"Date: {formatdate(localtime=True)}\r\n"
        f"Message-ID: {msg_id}\r\n"
        f"{extra}"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n" + body.replace("\n", "\r\n")
    ).encode()


def _plan(rng):
    """Kinds of mail in order, each batch with the same mix."""
    plan = []
    for start in range(0, MAILS, BATCH):
        size = min(BATCH, MAILS - start)
        new = round(size * NEW_SHARE)
        header = (size - new) // 2
        batch = ["new"] * new + ["header"] * header + ["tag"] * (size - new - header)
        rng.shuffle(batch)
        plan.extend(batch)
    return plan


def _setup(env, target):
    """A queue (team) with its own address and the customers who write to it."""
    company = env.company
    if not company.alias_domain_id:
        company.alias_domain_id = env["mail.alias.domain"].create(
            {"name": "bench.example"}
        )
    container = env[target["container"]].create(
        {"name": "Bench Kundendienst", "alias_name": f"bench-{uuid.uuid4().hex[:6]}"}
    )
    check = target["check"](container)
    assert check is True, check
    known = env["res.partner"].create(
        [
            {
                "name": f"Bench Kunde {index}",
                "email": f"bench.kunde{index}@kunden.example",
                "ref": f"BK{index:05d}",
            }
            for index in range(200)
        ]
    )
    senders = {
        True: [(partner.name, partner.email) for partner in known],
        False: [
            (f"Anonyme Person {index}", f"anon{index}@gmx.example")
            for index in range(300)
        ],
    }
    if PRELOAD:
        Ticket = env[target["ticket"]].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_notrack=True
        )
        for start in range(0, PRELOAD, 1000):
            Ticket.create(
                [
                    {**target["values"](index), target["field"]: container.id}
                    for index in range(start, min(PRELOAD, start + 1000))
                ]
            )
            env.cr.flush()
            env.cr.clear()
        # as autovacuum would: the planner sees the table as it is now
        env.cr.execute(f'ANALYZE "{Ticket._table}"')
    env.cr.flush()
    env.cr.clear()
    return container, senders


class QueryLog:
    """Counts the queries of the current thread by statement, digits blanked."""

    DIGITS = re.compile(r"\d+")
    SPACES = re.compile(r"\s+")

    def __init__(self):
        self.counts = collections.Counter()
        self.times = collections.Counter()
        self._thread = threading.current_thread()
        self._previous = getattr(self._thread, "query_hooks", None)

    def __enter__(self):
        self._thread.query_hooks = (*(self._previous or ()), self._hook)
        return self

    def __exit__(self, *exc):
        if self._previous is None:
            del self._thread.query_hooks
        else:
            self._thread.query_hooks = self._previous

    def _hook(self, cr, query, params, start, delay):
        if not isinstance(query, str):
            query = query.decode() if isinstance(query, bytes) else str(query)
        key = self.DIGITS.sub("N", self.SPACES.sub(" ", query.strip()))
        self.counts[key] += 1
        self.times[key] += delay


def _outgoing(cr):
    """Outgoing mails queued so far (counted outside the measured time)."""
    cr.execute("SELECT count(*) FROM mail_mail")
    return cr.fetchone()[0]


def main(env, target):
    rng = random.Random(4711)
    run = uuid.uuid4().hex[:8]
    container, senders = _setup(env, target)
    address = container.alias_email
    field = target["field"]
    Thread = env["mail.thread"]
    Ticket = env[target["ticket"]]
    tickets_before = Ticket.search_count([])
    plan = _plan(rng)
    # a few new tickets first, not measured: they fill Odoo's caches and give
    # the first replies something to answer
    steps = ["warmup"] * WARMUP + plan

    # Two mails in five come from known customers (res.partner), three from
    # unknown addresses, for new tickets and for replies alike; customers come
    # back in turn, so the later batches meet senders with several tickets.
    sent = collections.Counter()
    opened = {
        True: [],
        False: [],
    }  # known sender: [(id, number, subject, name, email, msg id)]
    errors = []
    batches = []
    current = None
    outgoing = collections.Counter()  # mail.mail queued, by kind (measured mails)
    tag_outcome = collections.Counter()  # where tag-only replies went
    cr = env.cr
    for index, step in enumerate(steps):
        kind = "new" if step == "warmup" else step
        measured = step != "warmup"
        position = index - WARMUP
        if measured and position % BATCH == 0:
            current = {
                "mails": collections.Counter(),
                "queries": collections.Counter(),
                "seconds": collections.Counter(),
                "log": {kind: QueryLog() for kind in KINDS},
            }
            batches.append(current)
        known = sent[kind] % 5 < 2
        sent[kind] += 1
        msg_id = f"<bench-{run}-{index}@kunden.example>"
        order = f"AB-{rng.randint(100000, 999999)}"
        if kind == "new":
            pool = senders[known]
            name, email = pool[sent[known, "new"] % len(pool)]
            sent[known, "new"] += 1
            subject = rng.choice(SUBJECTS)
            body = rng.choice(BODIES).format(order=order, name=name)
            raw = _mail(msg_id, name, email, address, subject, body)
            expected = None
        else:
            pool = opened[known]
            pool = pool[:-RECENT] if len(pool) > RECENT else pool
            ticket_id, number, subject, name, email, parent_id = rng.choice(pool)
            body = REPLY_BODY.format(order=order, name=name)
            if kind == "header":
                references = f"In-Reply-To: {parent_id}\r\nReferences: {parent_id}\r\n"
                raw = _mail(
                    msg_id, name, email, address, f"Re: {subject}", body, references
                )
            else:
                raw = _mail(
                    msg_id, name, email, address, f"Re: [{number}] {subject}", body
                )
            expected = ticket_id

        mails_before = _outgoing(cr) if measured else 0
        log = current["log"][kind] if measured else contextlib.nullcontext()
        with log:
            queries = cr.sql_log_count
            start = time.perf_counter()
            res_id = Thread.message_process(None, raw)
            cr.flush()  # as the commit after each fetched mail
            seconds = time.perf_counter() - start
            queries = cr.sql_log_count - queries
        cr.clear()
        cr.postcommit.clear()  # nothing is committed: no bus notification to send
        if measured:
            current["mails"][kind] += 1
            current["queries"][kind] += queries
            current["seconds"][kind] += seconds
            outgoing[kind] += _outgoing(cr) - mails_before

        if kind == "new":
            ticket = Ticket.browse(res_id)
            if not res_id or ticket[field] != container or ticket.name != subject:
                noun = target["container_noun"]
                errors.append(
                    f"mail {index}: no new ticket in the {noun} (got {res_id})"
                )
            else:
                opened[known].append(
                    (res_id, ticket.number, subject, name, email, msg_id)
                )
        elif res_id == expected:
            if kind == "tag":
                tag_outcome["threaded into its ticket"] += 1
        elif kind == "header" or target["tag_threads"]:
            errors.append(
                f"mail {index} ({kind} reply): went to {res_id}, not ticket {expected}"
            )
        else:
            ticket = Ticket.browse(res_id)
            if (
                res_id
                and ticket.exists()
                and ticket[field] == container
                and res_id > expected
            ):
                tag_outcome["opened a new ticket"] += 1
            else:
                tag_outcome[f"went elsewhere ({res_id})"] += 1

    _report(
        env, target, container, batches, plan, tickets_before, outgoing, tag_outcome
    )
    if errors:
        print(f"\n{len(errors)} mails were not processed right:")
        print("\n".join(f"  {error}" for error in errors[:20]))
    return not errors


def _per_mail(total, count):
    return total / count if count else 0.0


def _report(
    env, target, container, batches, plan, tickets_before, outgoing, tag_outcome
):
    counts = collections.Counter(plan)
    print(
        f"\n{target['title']}: {len(plan)} mails through mail.thread.message_process, "
        f"batches of {BATCH}: {counts['new']} new, {counts['header']} replies by headers, "
        f"{counts['tag']} replies by subject tag only"
    )
    print(
        f"database {env.cr.dbname}: {tickets_before} {target['tickets']} before "
        f"(preloaded {PRELOAD}), {target['container_noun']} address {container.alias_email}"
    )
    header = (
        f"{'batch':>5} {'mails':>6} {'mails/s':>8} {'ms/mail':>8} {'queries/mail':>13}   "
        + "  ".join(f"{kind + ' q/mail':>13} {kind + ' ms':>10}" for kind in KINDS)
    )
    print("\n" + header)
    for number, batch in enumerate(batches, 1):
        mails = sum(batch["mails"].values())
        seconds = sum(batch["seconds"].values())
        queries = sum(batch["queries"].values())
        by_kind = "  ".join(
            f"{_per_mail(batch['queries'][kind], batch['mails'][kind]):13.1f} "
            f"{1000 * _per_mail(batch['seconds'][kind], batch['mails'][kind]):10.1f}"
            for kind in KINDS
        )
        print(
            f"{number:>5} {mails:>6} {mails / seconds:8.1f} {1000 * seconds / mails:8.1f} "
            f"{queries / mails:13.1f}   {by_kind}"
        )
    total_seconds = sum(sum(batch["seconds"].values()) for batch in batches)
    total_queries = sum(sum(batch["queries"].values()) for batch in batches)
    print(
        f"{'all':>5} {len(plan):>6} {len(plan) / total_seconds:8.1f} "
        f"{1000 * total_seconds / len(plan):8.1f} {total_queries / len(plan):13.1f}"
    )
    tickets = env[target["ticket"]].search_count([(target["field"], "=", container.id)])
    print(
        f"tickets opened in the {target['container_noun']}: {tickets - PRELOAD} "
        f"(new mails: {counts['new']}, plus {WARMUP} unmeasured warm-up mails)"
    )
    if not target["tag_threads"]:
        print(
            f"replies by subject tag only ({counts['tag']}): "
            + ", ".join(
                f"{count} {outcome}" for outcome, count in tag_outcome.most_common()
            )
            + f" - {target['module']} threads replies by their headers only"
        )
    print(
        "outgoing mails queued per mail (autoresponse, notifications): "
        + ", ".join(
            f"{kind} {_per_mail(outgoing[kind], counts[kind]):.2f}" for kind in KINDS
        )
    )

    if len(batches) < 2:
        return
    first, last = batches[0], batches[-1]
    print(
        "\nstatements whose count per mail differs by 0.1 or more between the first and"
        " the last batch (by kind of mail):"
    )
    changed = []
    for kind in KINDS:
        logs = first["log"][kind].counts, last["log"][kind].counts
        mails = first["mails"][kind], last["mails"][kind]
        for key in set(logs[0]) | set(logs[1]):
            before, after = (
                _per_mail(log[key], count)
                for log, count in zip(logs, mails, strict=False)
            )
            if abs(after - before) >= 0.1:
                changed.append((after - before, kind, before, after, key))
    if not changed:
        print("  none")
    for _delta, kind, before, after, key in sorted(changed, reverse=True)[:20]:
        print(f"  {kind:>6} {before:6.2f} -> {after:6.2f}  {key[:150]}")

    print(
        "\nslowest statements of the last batch (ms per mail, first batch -> last batch):"
    )
    times = [collections.Counter(), collections.Counter()]
    for kind in KINDS:
        times[0].update(first["log"][kind].times)
        times[1].update(last["log"][kind].times)
    mails = sum(first["mails"].values()), sum(last["mails"].values())
    for key, seconds in times[1].most_common(8):
        before = 1000 * times[0][key] / mails[0]
        print(f"  {before:6.2f} -> {1000 * seconds / mails[1]:6.2f}  {key[:150]}")


failed = False
for target in TARGETS:
    # ticket_system always runs (a missing model fails loudly); the others only where installed
    if target is not TARGETS[0] and not _installed(env, target):  # noqa: F821 - odoo shell
        print(f"\n{target['module']} is not installed: skipped")
        continue
    try:
        failed |= not main(env, target)  # noqa: F821
    finally:
        env.cr.rollback()  # noqa: F821 - a benchmark leaves nothing behind
if failed:
    sys.exit(1)
