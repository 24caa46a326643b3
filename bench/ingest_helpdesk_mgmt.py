"""The mail load of bench/ingest.py against OCA's helpdesk_mgmt, for comparison.

Runs inside `odoo shell` on a database where OCA's helpdesk_mgmt (18.0) is
installed; on any other database (such as make bench's ticket_bench) it prints
"helpdesk_mgmt is not installed: skipped" and does nothing:

    odoo-bin shell -c odoo.conf -d DB --no-http --log-level=warn < bench/ingest_helpdesk_mgmt.py

helpdesk_mgmt is not a dependency of this project: install it only into a
throw-away database, with an addons_path entry pointing at a directory that
holds its helpdesk_mgmt folder (e.g. unpacked from OCA's wheel
odoo-addon-helpdesk-mgmt, where it lies under odoo/addons/).

Same mix, senders, mail format, order (same random seed), warm-up and
measurement as bench/ingest.py (see its docstring), sent to the alias of a
new helpdesk.ticket.team instead of a ticket queue: 70% new tickets, 30%
replies, half of them by In-Reply-To/References headers, half only by the
ticket number in the subject ("Re: [HT00042] ..."), with no reply header.
helpdesk_mgmt threads by headers only: a subject-tag-only reply opens a new
ticket. That is counted, not treated as an error: the "tag" columns show the
cost of what helpdesk_mgmt does with such a mail, and the report says where
those mails went. A new mail that opens no ticket of the team, or a header
reply that does not reach its ticket, is an error (exit code 1).

Besides bench/ingest.py's columns, it prints the outgoing mails (mail.mail)
each kind of mail queued: an autoresponse, notifications to followers.
The code is bench/ingest.py's, copied: that script runs its benchmark when it
is read, so it cannot be imported.
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
    sys.exit(
        "run inside odoo shell: odoo-bin shell -d DB --no-http < bench/ingest_helpdesk_mgmt.py"
    )

MAILS = int(os.environ.get("BENCH_MAILS", 1000))
BATCH = int(os.environ.get("BENCH_BATCH", 250))
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
REPLY_BODY = "Hallo,\n\nhier noch eine Ergänzung zu meiner Anfrage: {order}.\n\nGruß\n{name}\n"


def _installed(env):
    return "helpdesk.ticket" in env and bool(
        env["ir.module.module"].search_count(
            [("name", "=", "helpdesk_mgmt"), ("state", "=", "installed")]
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


def _setup(env):
    """A team with its own address and the customers who write to it."""
    company = env.company
    if not company.alias_domain_id:
        company.alias_domain_id = env["mail.alias.domain"].create({"name": "bench.example"})
    team = env["helpdesk.ticket.team"].create(
        {"name": "Bench Kundendienst", "alias_name": f"bench-{uuid.uuid4().hex[:6]}"}
    )
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
        False: [(f"Anonyme Person {index}", f"anon{index}@gmx.example") for index in range(300)],
    }
    env.cr.flush()
    env.cr.clear()
    return team, senders


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


def main(env):
    rng = random.Random(4711)
    run = uuid.uuid4().hex[:8]
    team, senders = _setup(env)
    address = team.alias_email
    Thread = env["mail.thread"]
    Ticket = env["helpdesk.ticket"]
    tickets_before = Ticket.search_count([])
    plan = _plan(rng)
    steps = ["warmup"] * WARMUP + plan

    sent = collections.Counter()
    opened = {True: [], False: []}  # known sender: [(id, number, subject, name, email, msg id)]
    errors = []
    batches = []
    current = None
    outgoing = collections.Counter()  # mail.mail queued, by kind (measured mails)
    tag_outcome = collections.Counter()
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
                raw = _mail(msg_id, name, email, address, f"Re: {subject}", body, references)
            else:
                raw = _mail(msg_id, name, email, address, f"Re: [{number}] {subject}", body)
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
            if not res_id or ticket.team_id != team or ticket.name != subject:
                errors.append(f"mail {index}: no new ticket in the team (got {res_id})")
            else:
                opened[known].append((res_id, ticket.number, subject, name, email, msg_id))
        elif kind == "header":
            if res_id != expected:
                errors.append(f"mail {index} (header reply): went to {res_id}, not {expected}")
        elif res_id == expected:
            tag_outcome["threaded into its ticket"] += 1
        else:
            ticket = Ticket.browse(res_id)
            if res_id and ticket.exists() and ticket.team_id == team and res_id > expected:
                tag_outcome["opened a new ticket"] += 1
            else:
                tag_outcome[f"went elsewhere ({res_id})"] += 1

    _report(env, team, batches, plan, tickets_before, outgoing, tag_outcome)
    if errors:
        print(f"\n{len(errors)} mails were not processed right:")
        print("\n".join(f"  {error}" for error in errors[:20]))
    return not errors


def _per_mail(total, count):
    return total / count if count else 0.0


def _report(env, team, batches, plan, tickets_before, outgoing, tag_outcome):
    counts = collections.Counter(plan)
    print(
        f"\nmail ingest (OCA helpdesk_mgmt): {len(plan)} mails through "
        f"mail.thread.message_process, batches of {BATCH}: {counts['new']} new, "
        f"{counts['header']} replies by headers, {counts['tag']} replies by subject tag only"
    )
    print(
        f"database {env.cr.dbname}: {tickets_before} helpdesk tickets before, "
        f"team address {team.alias_email}"
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
    tickets = env["helpdesk.ticket"].search_count([("team_id", "=", team.id)])
    print(
        f"tickets opened in the team: {tickets} "
        f"(new mails: {counts['new']}, plus {WARMUP} unmeasured warm-up mails)"
    )
    print(
        f"replies by subject tag only ({counts['tag']}): "
        + ", ".join(f"{count} {outcome}" for outcome, count in tag_outcome.most_common())
        + " - helpdesk_mgmt threads replies by their headers only"
    )
    print(
        "outgoing mails queued per mail (autoresponse, notifications): "
        + ", ".join(f"{kind} {_per_mail(outgoing[kind], counts[kind]):.2f}" for kind in KINDS)
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
            before, after = (_per_mail(log[key], count) for log, count in zip(logs, mails))
            if abs(after - before) >= 0.1:
                changed.append((after - before, kind, before, after, key))
    if not changed:
        print("  none")
    for _delta, kind, before, after, key in sorted(changed, reverse=True)[:20]:
        print(f"  {kind:>6} {before:6.2f} -> {after:6.2f}  {key[:150]}")

    print("\nslowest statements of the last batch (ms per mail, first batch -> last batch):")
    times = [collections.Counter(), collections.Counter()]
    for kind in KINDS:
        times[0].update(first["log"][kind].times)
        times[1].update(last["log"][kind].times)
    mails = sum(first["mails"].values()), sum(last["mails"].values())
    for key, seconds in times[1].most_common(8):
        before = 1000 * times[0][key] / mails[0]
        print(f"  {before:6.2f} -> {1000 * seconds / mails[1]:6.2f}  {key[:150]}")


if _installed(env):  # noqa: F821 - provided by odoo shell
    try:
        ok = main(env)  # noqa: F821
    finally:
        env.cr.rollback()  # noqa: F821 - a benchmark leaves nothing behind
    if not ok:
        sys.exit(1)
else:
    print("helpdesk_mgmt is not installed: skipped")
