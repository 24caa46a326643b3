"""SQL bulk fill of a ticket_system or helpdesk_mgmt database with the same shape.

The shape (both products alike, deterministic: no random(), every choice is a
hash of the row number):

* 50 000 customers (res.partner) with a customer number (``ref`` 100001...),
  an e-mail address and a phone number;
* six queues (helpdesk_mgmt: teams) created through the ORM, eight agents
  spread over them (each in two or three), one manager;
* N tickets over the last three years, 85 % closed (the open ones among the
  newest), in the product's open and closed statuses, 90 % assigned, from the
  customers, with a subject, a description and two messages (the customer's
  mail and the agent's answer) whose bodies mix common words with rarer ones;
* followers: the customer and the assigned agent follow each ticket; every
  twentieth ticket has an owner line (ticket_system).
"""

CUSTOMERS = 50_000
QUEUES = 6
AGENTS = 8
YEARS = 3

SUBJECTS = [
    "Wo bleibt meine Bestellung",
    "Rücksendung",
    "Rechnung fehlt",
    "Falscher Artikel geliefert",
    "Lieferadresse ändern",
    "Gutschrift",
    "Artikel beschädigt",
    "Frage zur Zahlung",
    "Umtausch Größe",
    "Stornierung",
]
# common words in every body; RARE in one message of 500 (the content search)
WORDS = [
    "Paket",
    "Lieferung",
    "Sendungsnummer",
    "Zahlung",
    "Karton",
    "Farbe",
    "Größe",
    "Rechnung",
    "Kundenkonto",
    "Versand",
    "Gutschein",
    "Retoure",
]
RARE = "Lieferscheinkopie"


TICKET_COLUMNS = {
    "number", "name", "description", "active", "color", "company_id", "queue_id",
    "user_id", "stage_id", "type_id", "is_closed", "priority", "billable",
    "time_spent", "partner_id", "partner_email", "partner_email_bounced",
    "create_date", "write_date", "create_uid", "write_uid", "date_last_action",
    "last_action_by", "channel", "date_closed", "date_first_response", "sla_state",
}  # fmt: skip
HELPDESK_COLUMNS = {
    "number", "name", "description", "active", "color", "company_id", "team_id",
    "user_id", "stage_id", "priority", "partner_id", "commercial_partner_id",
    "partner_name", "partner_email", "unattended", "sequence", "kanban_state",
    "create_date", "write_date", "create_uid", "write_uid", "last_stage_update",
    "assigned_date", "closed_date",
}  # fmt: skip


def visible_row(g, queues=QUEUES):
    """The first row from G on whose ticket is in one of the measured agent's
    queues (the first half, see create_people)."""
    while (g * 31) % queues >= queues // 2:
        g += 1
    return g


def sql_array(values):
    return "ARRAY[{}]::int[]".format(",".join(str(int(v)) for v in values))


def text_array(values):
    quoted = ("'{}'".format(v.replace("'", "''")) for v in values)
    return "ARRAY[{}]::text[]".format(",".join(quoted))


def defaults(env, model, table, given):
    """Columns NOT NULL without a database default that the INSERT does not
    give (other modules' fields, e.g. account's autopost_bills): the ORM's
    defaults, as ", col" and ", %s"-params."""
    env.cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND column_name != 'id'",
        [table],
    )
    missing = [row[0] for row in env.cr.fetchall() if row[0] not in given]
    values = env[model].default_get(missing)
    cols = "".join(f", {col}" for col in missing)
    literals = "".join(
        ", " + env.cr.mogrify("%s", [values.get(col)]).decode() for col in missing
    )
    return cols, literals


def _columns(insert):
    return {c.strip() for c in insert.split("(", 1)[1].split(")", 1)[0].split(",")}


def create_people(env, product):
    """Queues/teams, agents (each in two or three of them) and a manager,
    through the ORM. Returns (queue ids, agent user ids, the measured agent,
    the manager)."""
    Users = env["res.users"].with_context(
        no_reset_password=True, mail_create_nolog=True
    )
    if product == "ticket":
        agent_group = env.ref("ticket_system.group_ticket_user")
        manager_group = env.ref("ticket_system.group_ticket_manager")
    else:
        agent_group = env.ref("helpdesk_mgmt.group_helpdesk_user_team")
        manager_group = env.ref("helpdesk_mgmt.group_helpdesk_manager")
    agents = Users.create(
        [
            {
                "name": f"Bench Agent {i}",
                "login": f"bench_agent_{i}",
                "email": f"bench_agent_{i}@example.com",
                "tz": "Europe/Berlin",
                "groups_id": [(6, 0, [agent_group.id])],
            }
            for i in range(AGENTS)
        ]
    )
    manager = Users.create(
        {
            "name": "Bench Manager",
            "login": "bench_manager",
            "email": "bench_manager@example.com",
            "tz": "Europe/Berlin",
            "groups_id": [(6, 0, [manager_group.id])],
        }
    )
    if not env["mail.alias.domain"].search([], limit=1):
        # the queues' addresses need a domain (helpdesk_mgmt's demo has none)
        domain = env["mail.alias.domain"].create({"name": "bench.example"})
        env.company.alias_domain_id = domain
    names = [
        "Service",
        "Retouren",
        "Buchhaltung",
        "Großkunden",
        "Marktplatz",
        "Technik",
    ]
    queues = []
    for index, name in enumerate(names[:QUEUES]):
        # three agents per queue; the measured agent (the first) in the first
        # half of the queues
        members = [agents[1 + (index + k) % (AGENTS - 1)].id for k in range(2)]
        if index < QUEUES // 2:
            members.append(agents[0].id)
        if product == "ticket":
            queue = env["ticket.queue"].create(
                {
                    "name": f"Bench {name}",
                    "alias_name": f"bench-{index}",
                    "member_ids": [(6, 0, members)],
                }
            )
        else:
            queue = env["helpdesk.ticket.team"].create(
                {
                    "name": f"Bench {name}",
                    "alias_name": f"bench-{index}",
                    "user_ids": [(6, 0, members)],
                }
            )
        queues.append(queue.id)
    env.flush_all()
    return queues, agents.ids, agents[0].id, manager.id


def bulk_mode(cr):
    """No foreign-key triggers while filling (the rows are consistent by
    construction): a row-by-row check planned on the empty tables would
    read them whole for every row. Needs a superuser (the private cluster's
    owner); elsewhere the tables are analyzed between the steps instead."""
    cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cr.fetchone()[0]:
        cr.execute("SET LOCAL session_replication_role = replica")


def fill_customers(env):
    cr = env.cr
    bulk_mode(cr)
    cols = (
        "name, complete_name, email, email_normalized, phone, ref, active, type, "
        "is_company, lang, company_id, create_date, write_date, create_uid, write_uid"
    )
    extra, literals = defaults(env, "res.partner", "res_partner", _columns(f"({cols})"))
    cr.execute(
        f"""
        INSERT INTO res_partner ({cols}{extra})
        SELECT 'Kunde ' || g, 'Kunde ' || g,
               'kunde' || g || '@kunden.example', 'kunde' || g || '@kunden.example',
               '+49 30 ' || (1000000 + g), (100000 + g)::text, TRUE, 'contact',
               FALSE, 'de_DE', NULL,
               now() - interval '4 years', now(), 1, 1{literals}
          FROM generate_series(1, %s) g
        RETURNING id
        """,
        [CUSTOMERS],
    )
    ids = [row[0] for row in cr.fetchall()]
    cr.execute("ANALYZE res_partner")
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id "
        "WHERE id BETWEEN %s AND %s",
        [min(ids), max(ids)],
    )
    return min(ids)


def _ticket_select(n, first_customer, queues, agents, open_stages, closed_stages):
    """The generated columns of the N tickets, shared by both products:
    g (row), created, cust, queue, agent, stage, closed."""
    return f"""
        SELECT g,
               now() - (({n} - g)::float / {n} * interval '{YEARS} years') AS created,
               {first_customer} + (g::bigint * 7919) % {CUSTOMERS} AS cust,
               ({sql_array(queues)})[1 + (g * 31) % {len(queues)}] AS queue,
               CASE WHEN g % 10 = 0 THEN NULL
                    ELSE ({sql_array(agents)})[1 + (g * 13) % {len(agents)}] END AS agent,
               -- open: 15 %, mostly among the newest tickets
               CASE WHEN g > {n} * 0.9 AND (g * 37) % 100 < 60
                      OR g <= {n} * 0.9 AND (g * 37) % 100 < 9
                    THEN ({sql_array(open_stages)})[1 + (g * 7) % {len(open_stages)}]
                    ELSE ({sql_array(closed_stages)})[1 + (g * 7) % {len(closed_stages)}]
               END AS stage,
               ({text_array(SUBJECTS)})[1 + (g * 17) % {len(SUBJECTS)}] AS subject,
               ({text_array(WORDS)})[1 + (g * 11) % {len(WORDS)}] AS word1,
               ({text_array(WORDS)})[1 + (g * 23) % {len(WORDS)}] AS word2
          FROM generate_series(1, {n}) g
    """


def _body(prefix):
    return (
        f"'<p>' || {prefix} || ' ' || t.word1 || ' zur Bestellung B' || (700000 + t.g) "
        "|| ', ' || t.word2 || ' bitte prüfen. '"
        f"|| CASE WHEN t.g % 500 = 0 THEN '{RARE} ' ELSE '' END "
        "|| 'Mit freundlichen Grüßen</p>'"
    )


def fill_tickets(env, product, n, first_customer, queues, agents):
    """N tickets, two messages each, followers; returns nothing."""
    cr = env.cr
    company = env.company.id
    if product == "ticket":
        stages = env["ticket.stage"].search([])
        open_stages = stages.filtered(lambda s: not s.is_closed).ids
        closed_stages = stages.filtered("is_closed").ids
        closed_set = set(closed_stages)
        model, table = "ticket.ticket", "ticket_ticket"
    else:
        stages = env["helpdesk.ticket.stage"].search([])
        open_stages = stages.filtered(lambda s: not s.closed).ids
        closed_stages = stages.filtered("closed").ids
        closed_set = set(closed_stages)
        model, table = "helpdesk.ticket", "helpdesk_ticket"
    select = _ticket_select(
        n, first_customer, queues, agents, open_stages, closed_stages
    )
    closed_expr = f"t.stage = ANY({sql_array(closed_set)})"
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM " + table)
    last_id = cr.fetchone()[0]
    if product == "ticket":
        type_id = env["ticket.type"].search([], limit=1).id or "NULL"
        extra, literals = defaults(env, model, table, TICKET_COLUMNS)
        cr.execute(
            f"""
            INSERT INTO ticket_ticket (
                number, name, description, active, color, company_id, queue_id,
                user_id, stage_id, type_id, is_closed, priority, billable,
                time_spent, partner_id, partner_email, partner_email_bounced,
                create_date, write_date, create_uid, write_uid, date_last_action,
                last_action_by, channel, date_closed, date_first_response,
                sla_state{extra})
            SELECT 'T' || lpad((1000000 + t.g)::text, 7, '0'), t.subject,
                   '<p>' || t.subject || ': ' || t.word1 || '</p>', TRUE, 0,
                   {company}, t.queue, t.agent, t.stage, {type_id}, {closed_expr},
                   CASE WHEN t.g % 20 = 0 THEN '2' WHEN t.g % 7 = 0 THEN '1'
                        ELSE '0' END,
                   FALSE, 0, t.cust, 'kunde' || (t.cust - {first_customer} + 1)
                   || '@kunden.example', FALSE,
                   t.created, t.created + interval '2 hours', 1, 1,
                   t.created + interval '2 hours',
                   CASE WHEN {closed_expr} THEN 'agent' ELSE 'customer' END,
                   'email',
                   CASE WHEN {closed_expr} THEN t.created + interval '1 day' END,
                   t.created + interval '2 hours', 'none'{literals}
              FROM ({select}) t ORDER BY t.g
            """
        )
    else:
        extra, literals = defaults(env, model, table, HELPDESK_COLUMNS)
        cr.execute(
            f"""
            INSERT INTO helpdesk_ticket (
                number, name, description, active, color, company_id, team_id,
                user_id, stage_id, priority, partner_id, commercial_partner_id,
                partner_name, partner_email, unattended, sequence, kanban_state,
                create_date, write_date, create_uid, write_uid, last_stage_update,
                assigned_date, closed_date{extra})
            SELECT 'T' || lpad((1000000 + t.g)::text, 7, '0'), t.subject,
                   '<p>' || t.subject || ': ' || t.word1 || '</p>', TRUE, 0,
                   {company}, t.queue, t.agent, t.stage,
                   CASE WHEN t.g % 20 = 0 THEN '3' WHEN t.g % 7 = 0 THEN '2'
                        ELSE '1' END,
                   t.cust, t.cust, 'Kunde ' || (t.cust - {first_customer} + 1),
                   'kunde' || (t.cust - {first_customer} + 1) || '@kunden.example',
                   t.stage = {open_stages[0]}, 10, 'normal',
                   t.created, t.created + interval '2 hours', 1, 1,
                   t.created + interval '2 hours',
                   CASE WHEN t.agent IS NOT NULL THEN t.created END,
                   CASE WHEN {closed_expr} THEN t.created + interval '1 day' END
                   {literals}
              FROM ({select}) t ORDER BY t.g
            """
        )
    cr.execute(f"ANALYZE {table}")
    # the generated values again, keyed by the new ids (inserted in g order)
    rows = f"""
        SELECT s.*, x.id, x.partner_id AS customer, p.id AS agent_partner
          FROM ({select}) s
          JOIN (SELECT id, partner_id, row_number() OVER (ORDER BY id) AS g
                  FROM {table} WHERE id > {last_id}) x ON x.g = s.g
     LEFT JOIN res_users u ON u.id = s.agent
     LEFT JOIN res_partner p ON p.id = u.partner_id
    """
    mt_comment = env.ref("mail.mt_comment").id
    cr.execute(
        f"""
        INSERT INTO mail_message (model, res_id, message_type, subtype_id, body,
                                  author_id, email_from, message_id, date,
                                  create_date, write_date, create_uid, write_uid,
                                  record_name, subject, is_internal)
        SELECT '{model}', t.id, 'email', {mt_comment}, {_body("'Guten Tag,'")},
               t.customer, 'kunde' || (t.customer - {first_customer} + 1)
               || '@kunden.example', '<bench-' || t.id || '-1@kunden.example>',
               t.created, t.created, t.created, 1, 1, t.subject, t.subject, FALSE
          FROM ({rows}) t
        UNION ALL
        SELECT '{model}', t.id, 'comment', {mt_comment},
               {_body("'Sehr geehrte Kundin, sehr geehrter Kunde,'")},
               COALESCE(t.agent_partner, 3), 'service@example.com',
               '<bench-' || t.id || '-2@example.com>',
               t.created + interval '2 hours', t.created + interval '2 hours',
               t.created + interval '2 hours', 1, 1, t.subject, 'Re: ' || t.subject,
               FALSE
          FROM ({rows}) t
        """
    )
    cr.execute("ANALYZE mail_message")
    cr.execute(
        f"""
        INSERT INTO mail_followers (res_model, res_id, partner_id)
        SELECT '{model}', t.id, t.customer FROM ({rows}) t
        UNION ALL
        SELECT '{model}', t.id, t.agent_partner FROM ({rows}) t
         WHERE t.agent_partner IS NOT NULL AND t.agent_partner != t.customer
        """
    )
    if product == "ticket":
        role = env["ticket.role"].search([], limit=1).id
        if role:
            cr.execute(
                f"""
                INSERT INTO ticket_owner (ticket_id, user_id, role_id, company_id,
                                          create_date, write_date, create_uid,
                                          write_uid)
                SELECT t.id,
                       ({sql_array(agents)})[1 + (t.g * 3) % {len(agents)}],
                       {role}, {company}, now(), now(), 1, 1
                  FROM ({rows}) t WHERE t.g % 20 = 0
                """
            )
        # the sequence draws on from the filled numbers
        env["ir.sequence"].sudo().search([("code", "=", "ticket.ticket")]).write(
            {"number_next": 1000000 + n + 1}
        )
    else:
        seq = (
            env["ir.sequence"]
            .sudo()
            .search([("code", "=", "helpdesk.ticket.sequence")])
        )
        seq.write({"number_next": 1000000 + n + 1})
