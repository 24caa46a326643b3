import ast
import re
from urllib.parse import urlsplit

from odoo import api, fields, models, tools
from odoo.tools import SQL

from odoo.addons.base.models.res_partner import _lang_get
from odoo.addons.mail.tools.alias_error import AliasError


class TicketQueue(models.Model):
    _name = "ticket.queue"
    _description = "Ticket Queue"
    _inherit = ["mail.alias.mixin", "mail.thread", "ticket.assignment.mixin"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(
        default=True,
        tracking=True,
        help="An archived queue receives no mail; tickets can still be moved into it.",
    )
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    email_from_name = fields.Char(
        string="Sender Name",
        help="Friendly name shown as sender of the queue's mails, "
        "e.g. 'Example Shop Customer Service'.",
    )
    fetchmail_server_ids = fields.One2many(
        "fetchmail.server",
        "queue_id",
        string="Incoming Mail Accounts",
        help="POP3/IMAP mailboxes whose mail becomes tickets of this queue.",
    )
    mail_server_id = fields.Many2one(
        "ir.mail_server",
        string="Outgoing Mail Server",
        help="SMTP server used for the queue's mails; empty: the default server.",
    )
    is_public = fields.Boolean(
        string="Public",
        help="Offered in the contact form and the portal: customers may open "
        "tickets in this queue themselves.",
    )
    autoresponder = fields.Boolean(
        default=True,
        help="Confirm every new ticket to the sender with its ticket number.",
    )
    autoresponder_template_id = fields.Many2one(
        "mail.template",
        default=lambda self: self.env.ref(
            "ticket_system.mail_template_ticket_autoresponder", raise_if_not_found=False
        ),
        string="Autoresponder Template",
        domain="[('model', '=', 'ticket.ticket')]",
    )
    reply_quote = fields.Selection(
        [
            ("none", "No quote"),
            ("last", "Last message"),
            ("last_3", "Last 3 messages"),
            ("all", "Whole conversation"),
        ],
        string="Quote in Replies",
        default="last",
        required=True,
    )
    lang = fields.Selection(
        _lang_get,
        string="Language",
        default=lambda self: self.env.company.partner_id.lang or self.env.lang,
        help="Language of the mail to senders without a language of their own "
        "(addresses that belong to no contact): confirmation, status mails, answers.",
    )
    relay_senders = fields.Text(
        help="Addresses or domains (one per line or comma separated, e.g. "
        "noreply@mein-shop.example or marketplace.example) that send mail on behalf "
        "of customers: webshop contact forms, form mailers, marketplaces. Mail from "
        "them with the customer in Reply-To becomes the customer's ticket: customer, "
        "confirmation and answers go to the Reply-To address, and it does not count "
        "against the per-sender mail limit. The company's own domains count as relay "
        "senders without being listed. An automatic reply (Auto-Submitted: "
        "auto-replied) is never taken as relayed.",
    )
    attachment_limit = fields.Integer(
        string="Attachment Size Limit (MB)",
        default=25,
        help="Attachments of incoming mail larger than this are not stored on the "
        "ticket: the ticket gets a note, and the original mail is kept as .eml file "
        "on the message. 0: no limit.",
    )
    manager_id = fields.Many2one(
        "res.users",
        string="Queue Manager",
        domain="[('share', '=', False)]",
        help="Responsible for the queue: automation rules may give them activities "
        "(e.g. for tickets of high priority).",
    )
    member_ids = fields.Many2many(
        "res.users",
        "ticket_queue_member_rel",
        "queue_id",
        "user_id",
        string="Members",
        domain="[('share', '=', False)]",
        help="Agents working this queue: they see all of its tickets.",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        help="The queue's working hours; their timezone is the one of the shifts. "
        "Empty: the company's working hours.",
    )
    shift_ids = fields.One2many(
        "ticket.queue.shift",
        "queue_id",
        string="Shifts",
        help="Time slots of the members per weekday, for assignment by shift.",
    )
    deadline_warning_hours = fields.Float(
        string="Pre-warning (Hours)",
        default=24.0,
        help="Hours before a ticket's deadline from which its traffic light turns "
        "yellow and the agent (or, unassigned, every member) gets an activity. "
        "A ticket type with its own pre-warning wins; 0: no pre-warning.",
    )
    answer_template_ids = fields.Many2many(
        "mail.template",
        "mail_template_ticket_queue_rel",
        "queue_id",
        "template_id",
        string="Answer Templates",
        domain=[("model", "=", "ticket.ticket")],
        help="Offered first in the reply box of this queue's tickets.",
    )
    ticket_ids = fields.One2many("ticket.ticket", "queue_id", string="Tickets")
    ticket_open_count = fields.Integer(compute="_compute_ticket_counts")
    ticket_unassigned_count = fields.Integer(compute="_compute_ticket_counts")
    ticket_high_count = fields.Integer(compute="_compute_ticket_counts")
    ticket_overdue_count = fields.Integer(compute="_compute_ticket_counts")

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_ticket_counts(self):
        """The dashboard's four figures of each queue in one pass over the
        open tickets the user may see (record rules apply), instead of one
        count per figure."""
        Ticket = self.env["ticket.ticket"]
        counts = {}
        if any(self._origin.ids):
            # all queues' open tickets, one pass over their index: the queues
            # of a dashboard hold most tickets, and with their ids as a
            # condition PostgreSQL misjudges how many and reads the table
            query = Ticket._search(
                [("queue_id", "!=", False), ("is_closed", "=", False)]
            )

            def column(name):
                return Ticket._field_to_sql(query.table, name, query)

            query.groupby = column("queue_id")
            rows = self.env.execute_query(
                query.select(
                    column("queue_id"),
                    SQL("COUNT(*)"),
                    SQL("COUNT(*) FILTER (WHERE %s IS NULL)", column("user_id")),
                    SQL("COUNT(*) FILTER (WHERE %s = %s)", column("priority"), "2"),
                    SQL(
                        "COUNT(*) FILTER (WHERE %s <= %s)",
                        column("date_deadline"),
                        fields.Datetime.now(),
                    ),
                )
            )
            counts = {row[0]: row[1:] for row in rows}
        for queue in self:
            (
                queue.ticket_open_count,
                queue.ticket_unassigned_count,
                queue.ticket_high_count,
                queue.ticket_overdue_count,
            ) = counts.get(queue._origin.id, (0, 0, 0, 0))

    _sql_constraints = [
        (
            "deadline_warning_hours_positive",
            "CHECK (deadline_warning_hours >= 0)",
            "The pre-warning cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------
    # ALIAS
    # ------------------------------------------------------------

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get("ticket.ticket").id
        if self.id:
            values["alias_defaults"] = defaults = ast.literal_eval(
                self.alias_defaults or "{}"
            )
            defaults["queue_id"] = self.id
            defaults["company_id"] = self.company_id.id
        return values

    @api.model_create_multi
    def create(self, vals_list):
        queues = super().create(vals_list)
        if any(vals.get("member_ids") for vals in vals_list):
            self._clear_member_rule_cache()
        return queues

    def unlink(self):
        res = super().unlink()
        self._clear_member_rule_cache()
        return res

    def _clear_member_rule_cache(self):
        """The agents' record rules carry the ids of their queues, evaluated
        once per user and cached with the rules' domains (ir.rule's ormcache,
        see res.users._ticket_queue_ids): a change of membership takes effect
        at once only when that cache is cleared, as ir.rule does it."""
        self.env.registry.clear_cache()

    def write(self, vals):
        res = super().write(vals)
        if "member_ids" in vals:
            self._clear_member_rule_cache()
            # a member who left the queue has no shift in it any more
            self.shift_ids.filtered(
                lambda shift: shift.user_id not in shift.queue_id.member_ids
            ).unlink()
        if "company_id" in vals:
            for queue in self:
                queue.alias_defaults = queue._alias_get_creation_values()[
                    "alias_defaults"
                ]
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def _action_tickets(self, domain=None, context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ticket_system.ticket_ticket_action"
        )
        action["display_name"] = self.display_name
        action["domain"] = [("queue_id", "=", self.id)] + (domain or [])
        action["context"] = {
            "default_queue_id": self.id,
            "default_company_id": self.company_id.id,
            **(context or {}),
        }
        return action

    def action_view_tickets(self):
        return self._action_tickets(context={"search_default_filter_open": 1})

    def action_view_unassigned(self):
        return self._action_tickets(
            [("user_id", "=", False)], {"search_default_filter_open": 1}
        )

    def action_view_high(self):
        return self._action_tickets(
            [("priority", "=", "2")], {"search_default_filter_open": 1}
        )

    def action_view_overdue(self):
        return self._action_tickets(context={"search_default_filter_overdue": 1})

    @api.model
    def _default_queue(self):
        """First active queue of the current company the user is a member of."""
        return self.search(
            [
                ("company_id", "=", self.env.company.id),
                ("member_ids", "in", self.env.uid),
            ],
            limit=1,
        ) or self.search([("company_id", "=", self.env.company.id)], limit=1)

    # ------------------------------------------------------------
    # MAIL
    # ------------------------------------------------------------

    def _ticket_email_from(self, user=None):
        """'Anna via Shop Service <service@shop.example>': the queue's friendly
        name and address, so that answers thread back into the queue."""
        self.ensure_one()
        address = (
            self.alias_email
            or self._mailbox_address()
            or self.company_id.email
            or self.env.company.email
        )
        name = self.email_from_name or self.name
        if user:
            name = self.env._("%(user)s via %(queue)s", user=user.name, queue=name)
        return tools.formataddr((name, address)) if address else False

    def _mailbox_address(self):
        """The address of the queue's first incoming mailbox, if its login is one."""
        # sudo: mailbox settings are technical; only the address is used
        for server in self.sudo().fetchmail_server_ids:
            address = tools.email_normalize(server.user or "")
            if address:
                return address
        return False

    def _notify_get_reply_to(self, default=None):
        """A queue fed only by a mailbox (no alias) gets its answers there:
        nothing fetches the catchall of such a setup."""
        res = super()._notify_get_reply_to(default=default)
        for queue in self.filtered(lambda q: not q.alias_name):
            address = queue._mailbox_address()
            if address:
                res[queue.id] = tools.formataddr(
                    (queue.email_from_name or queue.name, address)
                )
        return res

    def _relay_entries(self, listed_only=False):
        """The relay senders of these queues: the listed addresses and domains
        plus (unless ``listed_only``) the domains of their companies (e-mail,
        website, alias domain)."""
        entries = set()
        for queue in self:
            entries.update(
                entry.lower().lstrip("@")
                for entry in re.split(r"[\s,;]+", queue.relay_senders or "")
                if entry.strip()
            )
            if listed_only:
                continue
            company = queue.company_id
            entries.add(
                (tools.email_normalize(company.email or "") or "").partition("@")[2]
            )
            website = company.website or ""
            host = (
                urlsplit(website if "//" in website else f"//{website}").hostname or ""
            )
            entries.add(host.removeprefix("www."))
            # sudo: the alias domain is mail configuration
            entries.add(company.sudo().alias_domain_id.name or "")
        entries.discard("")
        return entries

    def _is_relay_sender(self, email, listed_only=False):
        """Whether the normalized address ``email`` is a relay sender of one
        of these queues: listed itself, or its domain (or a parent domain)."""
        if not email or "@" not in email:
            return False
        entries = self._relay_entries(listed_only=listed_only)
        if email in entries:
            return True
        domain = email.rpartition("@")[2]
        parts = domain.split(".")
        return any(
            ".".join(parts[index:]) in entries for index in range(len(parts) - 1)
        )

    def _alias_get_error(self, message, message_dict, alias):
        """An archived queue receives no mail: the sender gets a clear bounce."""
        if not self.active:
            return AliasError(
                "ticket_queue_archived",
                self.env._(
                    "the queue %(queue)s is closed and receives no more mail",
                    queue=self.name,
                ),
            )
        return super()._alias_get_error(message, message_dict, alias)
