"""Mail ingest benchmark, one system: raw mails through the fetchmail path.

Run by bench/ingest.sh inside `odoo shell` on a fresh database of its own (it
commits, as the fetch cron does; the driver drops the database afterwards):

    BENCH_TARGET=ticket_system odoo-bin shell -c CONF -d DB --no-http < bench/ingest/measure.py

BENCH_TARGET names the system under test: ticket_system (its queue with the
autoresponder on) or helpdesk_mgmt (OCA helpdesk_mgmt 18.0, its team alias).

Delivery as `fetchmail.server.fetch_mail` does it: each raw RFC 822 mail goes
through env["mail.thread"].message_process with the fetch cron's context
(fetchmail_cron_running, default_fetchmail_server_id of a mailbox record that
routes by alias, as a catchall mailbox does; ticket_system's fetch also passes
its health counts), so ticket_system's failure-capture savepoint and retry
loop run; then one real COMMIT per mail (the precommit flush, tracking and
followers, the post-commit bus notifications all happen in the timed part).

Feeds BENCH_MAILS mails (default 1000) in batches of BENCH_BATCH (default
250), each batch the same mix: 70 % open new tickets, 30 % are replies, half
threaded by their In-Reply-To/References headers (naming an earlier incoming
Message-Id), half by the ticket tag [T.....] in the subject only. Two senders
in five are known customers (res.partner), three unknown addresses; customers
write again in turn. Replies answer tickets opened a while before, never the
last few. WARMUP new mails come first, unmeasured. BENCH_PRELOAD=N first
creates N plain tickets.

A mailbox fetch of ticket_system confirms its new tickets after the fetch,
all at once (context ticket_confirm_later, as its fetchmail.server.fetch_mail
sets it): here a fetch is BENCH_FETCH mails (default 50), and after each the
pending confirmations are sent (_cron_autoresponse_send_pending, committed)
inside the timed part, counted into the batch as "confirm".

Deferred work is measured too: after each batch the mail queue cron
(mail.ir_cron_mail_scheduler_action, process_email_queue) sends what the batch
queued (confirmations, notifications) over SMTP to a local sink (BENCH_SMTP_PORT,
scripts/smtp_sink.py, started by the driver), and its time and queries count
into the batch: deferring must not look like saving.

BENCH_RSS=1 prints the resident memory (VmRSS) after each batch, for the
memory check with BENCH_MAILS=10000.

Prints mails/s and SQL queries per mail per batch and kind of mail, the mails
queued, the statements whose count per mail changes between the first and the
last batch, the slowest statements, and the statements of one mail by kind
(SELECT/INSERT/UPDATE... on which table); writes all figures as JSON to
BENCH_OUT. Exits non-zero if a mail is threaded wrong or opens no ticket.
helpdesk_mgmt threads by headers only: a reply with only the ticket number in
the subject opens a new ticket there; that is counted, not an error.
"""

import collections
import json
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
    sys.exit("run inside odoo shell: odoo-bin shell -d DB --no-http < measure.py")

TARGET = os.environ.get("BENCH_TARGET", "ticket_system")
MAILS = int(os.environ.get("BENCH_MAILS", 1000))
BATCH = int(os.environ.get("BENCH_BATCH", 250))
PRELOAD = int(os.environ.get("BENCH_PRELOAD", 0))
RSS = os.environ.get("BENCH_RSS") == "1"
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT", 0))
OUT = os.environ.get("BENCH_OUT")
FETCH = int(os.environ.get("BENCH_FETCH", 50))
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
TARGETS = {
    "ticket_system": {
        "module": "ticket_system",
        "title": "ticket_system",
        "ticket": "ticket.ticket",
        "container": "ticket.queue",
        "container_noun": "queue",
        "field": "queue_id",
        "values": lambda index: {
            "name": f"Altfall {index}",
            "partner_email": f"altkunde{index % 5000}@kunden.example",
            "channel": "email",
        },
        "tag_threads": True,
        # what its fetchmail.server.fetch_mail adds, and does after a fetch
        "fetch_context": {"ticket_confirm_later": True},
        # every new ticket is confirmed: no hourly cap of all confirmations
        # (200 by default; a desk with this much mail raises it)
        "params": {"ticket_system.autoresponder_limit_per_hour_total": 0},
        "after_fetch": lambda env: env[
            "ticket.ticket"
        ]._cron_autoresponse_send_pending(),
        "check": lambda queue: queue.autoresponder
        or "the default queue confirms new tickets",
    },
    "helpdesk_mgmt": {
        "module": "helpdesk_mgmt",
        "title": "OCA helpdesk_mgmt",
        "ticket": "helpdesk.ticket",
        "container": "helpdesk.ticket.team",
        "container_noun": "team",
        "field": "team_id",
        "values": lambda index: {
            "name": f"Altfall {index}",
            "description": "<p>Altfall</p>",
            "partner_email": f"altkunde{index % 5000}@kunden.example",
        },
        "tag_threads": False,
        "fetch_context": {},
        "after_fetch": None,
        "check": lambda team: True,
    },
}


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
    """A queue (team) with its own address, a mailbox record to deliver as,
    the outgoing server (the local sink) and the customers who write."""
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
    for key, value in target.get("params", {}).items():
        env["ir.config_parameter"].sudo().set_param(key, value)
    # never connected: the mails are handed over as its fetch would
    mailbox = env["fetchmail.server"].create(
        {
            "name": "Bench catchall mailbox",
            "server_type": "imap",
            "server": "imap.bench.invalid",
            "user": "catchall@bench.example",
            "password": "-",
        }
    )
    if SMTP_PORT:
        env["ir.mail_server"].search([]).active = False
        env["ir.mail_server"].create(
            {
                "name": "Bench SMTP sink",
                "smtp_host": "127.0.0.1",
                "smtp_port": SMTP_PORT,
                "smtp_encryption": "none",
                "sequence": 1,
            }
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
            env.cr.commit()
        env.cr.execute(f'ANALYZE "{Ticket._table}"')
    # mail queued by the demo data and the setup is not this benchmark's
    env.cr.execute("DELETE FROM mail_mail")
    env.cr.commit()
    return container, mailbox, senders


class QueryLog:
    """Counts the queries of the current thread (all its cursors: the
    post-commit bus notification uses its own) by statement, digits
    blanked, into the bucket set by `into`."""

    DIGITS = re.compile(r"\d+")
    SPACES = re.compile(r"\s+")

    def __init__(self):
        self.bucket = None
        self._thread = threading.current_thread()

    def __enter__(self):
        self._previous = getattr(self._thread, "query_hooks", None)
        self._thread.query_hooks = (*(self._previous or ()), self._hook)
        return self

    def __exit__(self, *exc):
        if self._previous is None:
            del self._thread.query_hooks
        else:
            self._thread.query_hooks = self._previous

    def _hook(self, cr, query, params, start, delay):
        if self.bucket is None:
            return
        if not isinstance(query, str):
            query = query.decode() if isinstance(query, bytes) else str(query)
        key = self.DIGITS.sub("N", self.SPACES.sub(" ", query.strip()))
        self.bucket["counts"][key] += 1
        self.bucket["times"][key] += delay


def _bucket():
    return {"counts": collections.Counter(), "times": collections.Counter()}


def _rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _count(cr, table):
    cr.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
    return cr.fetchone()[0]


def _run_mail_queue(env):
    """The mail queue cron, as the scheduler runs it (it commits itself)."""
    cron = env.ref("mail.ir_cron_mail_scheduler_action")
    env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
    cron.method_direct_trigger()
    env.cr.commit()


def _after_fetch(env, target, log, current):
    """The end of a mailbox fetch: its pending confirmations, committed;
    timed and counted into ``current`` (None: the warm-up)."""
    if not target["after_fetch"]:
        return
    bucket = current["log"]["confirm"] if current else None
    log.bucket = bucket
    start = time.perf_counter()
    target["after_fetch"](env)
    env.cr.commit()
    seconds = time.perf_counter() - start
    log.bucket = None
    if current:
        current["confirm_seconds"] += seconds
        current["confirm_queries"] = sum(bucket["counts"].values())


def _next_mail(rng, kind, known, sent, senders, opened, msg_id, address):
    """The raw mail of this step: a new request from the sender pool, or a
    reply (by headers or by subject tag) to a ticket opened a while before."""
    order = f"AB-{rng.randint(100000, 999999)}"
    if kind == "new":
        pool = senders[known]
        name, email = pool[sent[known, "new"] % len(pool)]
        sent[known, "new"] += 1
        subject = rng.choice(SUBJECTS)
        body = rng.choice(BODIES).format(order=order, name=name)
        return (
            _mail(msg_id, name, email, address, subject, body),
            None,
            subject,
            name,
            email,
        )
    pool = opened[known]
    pool = pool[:-RECENT] if len(pool) > RECENT else pool
    ticket_id, number, subject, name, email, parent_id = rng.choice(pool)
    body = REPLY_BODY.format(order=order, name=name)
    if kind == "header":
        references = f"In-Reply-To: {parent_id}\r\nReferences: {parent_id}\r\n"
        raw = _mail(msg_id, name, email, address, f"Re: {subject}", body, references)
    else:
        raw = _mail(msg_id, name, email, address, f"Re: [{number}] {subject}", body)
    return raw, ticket_id, subject, name, email


def _misthreaded(target, Ticket, container, mail, errors, tag_outcome):
    """A reply that did not reach its ticket: an error, unless the system
    threads by headers only and it was a reply by subject tag."""
    index, kind, res_id, expected = mail
    if kind == "header" or target["tag_threads"]:
        errors.append(
            f"mail {index} ({kind} reply): went to {res_id}, not ticket {expected}"
        )
        return
    ticket = Ticket.browse(res_id)
    if (
        res_id
        and ticket.exists()
        and ticket[target["field"]] == container
        and res_id > expected
    ):
        tag_outcome["opened a new ticket"] += 1
    else:
        tag_outcome[f"went elsewhere ({res_id})"] += 1


def main(env, target):
    rng = random.Random(4711)
    run = uuid.uuid4().hex[:8]
    container, mailbox, senders = _setup(env, target)
    address = container.alias_email
    field = target["field"]
    # as fetchmail.server.fetch_mail (and ticket_system's fetch) call it
    stats = {"fetched": 0, "failed": 0, "suppressed": 0}
    Thread = env["mail.thread"].with_context(
        fetchmail_cron_running=True,
        default_fetchmail_server_id=mailbox.id,
        ticket_fetch_stats=stats,
        **target["fetch_context"],
    )
    model = mailbox.object_id.model
    options = {
        "save_original": mailbox.original,
        "strip_attachments": not mailbox.attach,
    }
    Ticket = env[target["ticket"]]
    cr = env.cr
    tickets_before = Ticket.search_count([])
    plan = _plan(rng)
    steps = ["warmup"] * WARMUP + plan

    sent = collections.Counter()
    opened = {
        True: [],
        False: [],
    }  # known sender: [(id, number, subject, name, email, msg id)]
    errors = []
    batches = []
    current = None
    tag_outcome = collections.Counter()
    log = QueryLog()
    rss = [("start", _rss_mb())]
    with log:
        for index, step in enumerate(steps):
            kind = "new" if step == "warmup" else step
            measured = step != "warmup"
            position = index - WARMUP
            if measured and position % BATCH == 0:
                if position == 0:
                    _run_mail_queue(env)  # the warm-up's mail: not measured
                    cr.execute("DELETE FROM mail_mail")
                    cr.commit()
                    rss.append(("after warm-up", _rss_mb()))
                current = {
                    "mails": collections.Counter(),
                    "queries": collections.Counter(),
                    "seconds": collections.Counter(),
                    "log": {kind: _bucket() for kind in (*KINDS, "confirm", "queue")},
                    "confirm_seconds": 0.0,
                    "confirm_queries": 0,
                }
                batches.append(current)
            known = sent[kind] % 5 < 2
            sent[kind] += 1
            msg_id = f"<bench-{run}-{index}@kunden.example>"
            raw, expected, subject, name, email = _next_mail(
                rng, kind, known, sent, senders, opened, msg_id, address
            )

            bucket = current["log"][kind] if measured else None
            log.bucket = bucket
            before = sum(bucket["counts"].values()) if measured else 0
            start = time.perf_counter()
            res_id = Thread.message_process(model, raw, **options)
            cr.commit()  # as fetch_mail after each mail
            seconds = time.perf_counter() - start
            log.bucket = None
            if measured:
                current["mails"][kind] += 1
                current["queries"][kind] += sum(bucket["counts"].values()) - before
                current["seconds"][kind] += seconds

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
            else:
                _misthreaded(
                    target,
                    Ticket,
                    container,
                    (index, kind, res_id, expected),
                    errors,
                    tag_outcome,
                )

            last_of_batch = measured and (
                (position + 1) % BATCH == 0 or position + 1 == len(plan)
            )
            # the end of a mailbox fetch (and of the warm-up)
            if (index + 1) % FETCH == 0 or last_of_batch or position == -1:
                _after_fetch(env, target, log, current if measured else None)
            if last_of_batch:
                # the deferred work of this batch: the mail queue sends it
                current["queued"] = _count(cr, "mail_mail")
                bucket = current["log"]["queue"]
                log.bucket = bucket
                start = time.perf_counter()
                _run_mail_queue(env)
                current["queue_seconds"] = time.perf_counter() - start
                log.bucket = None
                current["queue_queries"] = sum(bucket["counts"].values())
                cr.execute(
                    "SELECT count(*) FILTER (WHERE state = 'exception'),"
                    " count(*) FILTER (WHERE state = 'outgoing') FROM mail_mail"
                )
                current["send_failed"], current["unsent"] = cr.fetchone()
                cr.execute("DELETE FROM mail_mail")  # kept by auto_delete=False
                cr.commit()
                if RSS:
                    rss.append((f"batch {len(batches)}", _rss_mb()))

    result = _report(
        env, target, container, batches, plan, tickets_before, tag_outcome, rss
    )
    result["errors"] = errors
    if errors:
        print(f"\n{len(errors)} mails were not processed right:")
        print("\n".join(f"  {error}" for error in errors[:20]))
    if stats["failed"]:
        print(f"\n{stats['failed']} mails failed and were kept in ticket.mail.failure")
        errors.append(f"{stats['failed']} failed mails")
    if OUT:
        with open(OUT, "w") as out:
            json.dump(result, out, indent=1)
    return not errors


def _per(total, count):
    return total / count if count else 0.0


def _kind_of(statement):
    head = statement.split(None, 1)[0].upper() if statement else "?"
    if head == "SELECT":
        match = re.search(r'\bFROM\s+"?(\w+)"?', statement, re.I)
        return f"SELECT {match.group(1) if match else '(function)'}"
    if head == "INSERT":
        match = re.search(r'INTO\s+"?(\w+)"?', statement, re.I)
        return f"INSERT {match.group(1) if match else '?'}"
    if head == "UPDATE":
        match = re.search(r'UPDATE\s+"?(\w+)"?', statement, re.I)
        return f"UPDATE {match.group(1) if match else '?'}"
    if head == "DELETE":
        match = re.search(r'FROM\s+"?(\w+)"?', statement, re.I)
        return f"DELETE {match.group(1) if match else '?'}"
    return head


def _report_statements(batches, columns):
    last = batches[-1]
    # the statements of one mail by kind (last batch)
    print("\nstatements per mail by kind (last batch; queue: per mail of the batch):")
    groups = {}
    for kind in columns:
        mails = (
            sum(last["mails"].values())
            if kind in ("confirm", "queue")
            else last["mails"][kind]
        )
        for key, count in last["log"][kind]["counts"].items():
            groups.setdefault(_kind_of(key), collections.Counter())[kind] += _per(
                count, mails
            )
    print(f"  {'statement':<40}" + "".join(f"{kind:>8}" for kind in columns))
    for name, by_kind in sorted(
        groups.items(), key=lambda item: -sum(item[1].values())
    ):
        if sum(by_kind.values()) < 0.05:
            continue
        print(f"  {name[:40]:<40}" + "".join(f"{by_kind[k]:8.2f}" for k in columns))

    if len(batches) >= 2:
        first = batches[0]
        print(
            "\nstatements whose count per mail differs by 0.1 or more between the"
            " first and the last batch (by kind of mail):"
        )
        changed = []
        for kind in KINDS:
            logs = first["log"][kind]["counts"], last["log"][kind]["counts"]
            mails = first["mails"][kind], last["mails"][kind]
            for key in set(logs[0]) | set(logs[1]):
                before, after = (
                    _per(log[key], count)
                    for log, count in zip(logs, mails, strict=True)
                )
                if abs(after - before) >= 0.1:
                    changed.append((after - before, kind, before, after, key))
        if not changed:
            print("  none")
        for _delta, kind, before, after, key in sorted(changed, reverse=True)[:20]:
            print(f"  {kind:>6} {before:6.2f} -> {after:6.2f}  {key[:150]}")


def _report(env, target, container, batches, plan, tickets_before, tag_outcome, rss):
    counts = collections.Counter(plan)
    print(
        f"\n{target['title']}: {len(plan)} mails through the fetchmail path "
        f"(message_process in the cron's context, COMMIT per mail), batches of {BATCH}: "
        f"{counts['new']} new, {counts['header']} replies by headers, "
        f"{counts['tag']} replies by subject tag only; mail queue run after each batch"
    )
    print(
        f"database {env.cr.dbname}: {tickets_before} tickets before "
        f"(preloaded {PRELOAD}), {target['container_noun']} address {container.alias_email}"
    )
    header = (
        f"{'batch':>5} {'mails':>6} {'mails/s':>8} {'ms/mail':>8} {'q/mail':>7} "
        f"{'queued':>6} {'queue ms':>8} {'queue q':>7}   "
        + "  ".join(f"{kind + ' q/mail':>13} {kind + ' ms':>10}" for kind in KINDS)
    )
    print("\n" + header)
    for number, batch in enumerate(batches, 1):
        mails = sum(batch["mails"].values())
        seconds = (
            sum(batch["seconds"].values())
            + batch["confirm_seconds"]
            + batch["queue_seconds"]
        )
        queries = (
            sum(batch["queries"].values())
            + batch["confirm_queries"]
            + batch["queue_queries"]
        )
        by_kind = "  ".join(
            f"{_per(batch['queries'][kind], batch['mails'][kind]):13.1f} "
            f"{1000 * _per(batch['seconds'][kind], batch['mails'][kind]):10.1f}"
            for kind in KINDS
        )
        print(
            f"{number:>5} {mails:>6} {mails / seconds:8.1f} {1000 * seconds / mails:8.1f} "
            f"{queries / mails:7.1f} {batch['queued']:>6} "
            f"{1000 * batch['queue_seconds']:8.0f} {batch['queue_queries']:>7}   {by_kind}"
        )
    total_seconds = sum(
        sum(b["seconds"].values()) + b["confirm_seconds"] + b["queue_seconds"]
        for b in batches
    )
    total_queries = sum(
        sum(b["queries"].values()) + b["confirm_queries"] + b["queue_queries"]
        for b in batches
    )
    queued = sum(b["queued"] for b in batches)
    queue_seconds = sum(b["queue_seconds"] for b in batches)
    queue_queries = sum(b["queue_queries"] for b in batches)
    confirm_seconds = sum(b["confirm_seconds"] for b in batches)
    confirm_queries = sum(b["confirm_queries"] for b in batches)
    failed = sum(b["send_failed"] for b in batches)
    unsent = sum(b["unsent"] for b in batches)
    print(
        f"{'all':>5} {len(plan):>6} {len(plan) / total_seconds:8.1f} "
        f"{1000 * total_seconds / len(plan):8.1f} {total_queries / len(plan):7.1f} "
        f"{queued:>6} {1000 * queue_seconds:8.0f} {queue_queries:>7}"
    )
    if target["after_fetch"]:
        print(
            f"confirmations sent after each fetch of {FETCH} mails: "
            f"{1000 * confirm_seconds:.0f} ms, {confirm_queries} queries in all "
            "(counted in the figures above)"
        )
    tickets = env[target["ticket"]].search_count([(target["field"], "=", container.id)])
    print(
        f"tickets opened in the {target['container_noun']}: {tickets - PRELOAD} "
        f"(new mails: {counts['new']}, plus {WARMUP} unmeasured warm-up mails)"
    )
    print(
        f"outgoing mails queued: {queued} ({queued / len(plan):.2f} per mail), "
        f"sent by the mail queue to the SMTP sink: {queued - failed - unsent}, "
        f"failed {failed}, left unsent {unsent}"
    )
    if not target["tag_threads"]:
        print(
            f"replies by subject tag only ({counts['tag']}): "
            + ", ".join(
                f"{count} {outcome}" for outcome, count in tag_outcome.most_common()
            )
            + f" - {target['module']} threads replies by their headers only"
        )

    last = batches[-1]
    columns = (*KINDS, "confirm", "queue")
    _report_statements(batches, columns)

    print("\nslowest statements of the last batch (ms per mail):")
    times = collections.Counter()
    for kind in columns:
        times.update(last["log"][kind]["times"])
    mails = sum(last["mails"].values())
    for key, seconds in times.most_common(8):
        print(f"  {1000 * seconds / mails:6.2f}  {key[:150]}")

    if len(rss) > 1:
        print("\nresident memory (VmRSS, MB):")
        for label, value in rss:
            print(f"  {label:>14} {value:8.1f}")

    by_kind = {
        kind: {
            "mails": sum(b["mails"][kind] for b in batches),
            "queries_per_mail": _per(
                sum(b["queries"][kind] for b in batches),
                sum(b["mails"][kind] for b in batches),
            ),
            "ms_per_mail": 1000
            * _per(
                sum(b["seconds"][kind] for b in batches),
                sum(b["mails"][kind] for b in batches),
            ),
        }
        for kind in KINDS
    }
    return {
        "target": target["module"],
        "mails": len(plan),
        "batch": BATCH,
        "preload": PRELOAD,
        "mails_per_second": len(plan) / total_seconds,
        "queries_per_mail": total_queries / len(plan),
        "ms_per_mail": 1000 * total_seconds / len(plan),
        "queued": queued,
        "queued_per_mail": queued / len(plan),
        "send_failed": failed,
        "unsent": unsent,
        "queue_seconds": queue_seconds,
        "queue_queries": queue_queries,
        "confirm_seconds": confirm_seconds,
        "confirm_queries": confirm_queries,
        "by_kind": by_kind,
        "tag_outcome": dict(tag_outcome),
        "batches": [
            {
                "mails": sum(b["mails"].values()),
                "seconds": sum(b["seconds"].values())
                + b["confirm_seconds"]
                + b["queue_seconds"],
                "queries": sum(b["queries"].values())
                + b["confirm_queries"]
                + b["queue_queries"],
                "queued": b["queued"],
            }
            for b in batches
        ],
        "rss_mb": rss,
    }


target = TARGETS[TARGET]
installed = env["ir.module.module"].search_count(  # noqa: F821 - odoo shell
    [("name", "=", target["module"]), ("state", "=", "installed")]
)
if not installed:
    sys.exit(f"{target['module']} is not installed in this database")
if not main(env, target):  # noqa: F821
    sys.exit(1)
