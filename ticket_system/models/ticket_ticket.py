import logging
import re

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL
from odoo.tools.mail import email_split_and_format

_logger = logging.getLogger(__name__)

SUBJECT_TAG = re.compile(r"\[([A-Za-z]{0,10}\d{1,12})\]")

TICKET_PRIORITIES = [
    ("0", "Normal"),
    ("1", "Medium"),
    ("2", "High"),
]


class TicketTicket(models.Model):
    _name = "ticket.ticket"
    _description = "Ticket"
    _inherit = [
        "portal.mixin",
        "mail.thread.cc",
        "mail.activity.mixin",
        "ticket.placeholder.mixin",
        "ticket.desk.mixin",
        "ticket.composer.mixin",
        "ticket.billing.mixin",
        "ticket.number.search.mixin",
        "ticket.content.search.mixin",
        "ticket.open.index.mixin",
        "ticket.access.mixin",
        "ticket.autolink.mixin",
        "ticket.phone.mixin",
        "ticket.deadline.mixin",
        "ticket.absence.notice.mixin",
        "ticket.shift.mixin",
        "ticket.document.link.mixin",
        "ticket.automation.mixin",
        "ticket.conversation.mixin",
        "ticket.edit.collision.mixin",
        "ticket.sla.mixin",
        "ticket.answer.mixin",
        "ticket.dashboard.mixin",
        "ticket.reply.document.mixin",
        "ticket.ingest.mixin",
        "ticket.mail.volume.mixin",
        "ticket.confirmation.mixin",
    ]
    _primary_email = "partner_email"
    _mail_post_access = "read"
    _order = "priority desc, id desc"
    _rec_names_search = ["number", "name"]
    _check_company_auto = True

    def _default_queue_id(self):
        return self.env["ticket.queue"]._default_queue()

    number = fields.Char(readonly=True, copy=False, index=True, default="/")
    name = fields.Char(string="Subject", required=True, index="trigram", tracking=True)
    description = fields.Html(sanitize_style=True)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    queue_id = fields.Many2one(
        "ticket.queue",
        string="Queue",
        index=True,
        tracking=True,
        check_company=True,
        default=_default_queue_id,
        domain="[('company_id', '=', company_id)]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        index=True,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    type_id = fields.Many2one("ticket.type", string="Type", index=True, tracking=True)
    stage_id = fields.Many2one(
        "ticket.stage",
        string="Status",
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        compute="_compute_stage_id",
        store=True,
        readonly=False,
        precompute=True,
        group_expand="_read_group_stage_ids",
        domain="[('id', 'in', allowed_stage_ids)]",
    )
    allowed_stage_ids = fields.Many2many(
        "ticket.stage", compute="_compute_allowed_stage_ids"
    )
    # no index of its own: open tickets are found through the partial
    # indexes of ticket.open.index.mixin, closed ones are most of the table
    is_closed = fields.Boolean(
        related="stage_id.is_closed", store=True, precompute=True
    )
    date_closed = fields.Datetime(
        string="Closed on",
        compute="_compute_date_closed",
        store=True,
        precompute=True,
        copy=False,
        index="btree_not_null",  # the dashboard's period; open tickets: none
    )
    priority = fields.Selection(
        TICKET_PRIORITIES, default="0", required=True, index=True, tracking=True
    )
    # internal working data, not for portal users
    billable = fields.Boolean(
        help="Work on this ticket is charged to the customer.", groups="base.group_user"
    )
    time_entry_ids = fields.One2many(
        "ticket.time.entry",
        "ticket_id",
        string="Time Entries",
        groups="base.group_user",
    )
    time_spent = fields.Float(
        string="Time Spent (h)",
        compute="_compute_time_spent",
        store=True,
        # a new ticket has no entries yet: no query to find that out
        precompute=True,
        aggregator="sum",
        groups="base.group_user",
    )
    date_deadline = fields.Datetime(
        string="Deadline", index=True, tracking=True, copy=False
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", index=True, tracking=True
    )
    partner_name = fields.Char(
        string="Sender Name",
        compute="_compute_partner_name",
        store=True,
        readonly=False,
    )
    partner_email = fields.Char(
        string="E-mail",
        compute="_compute_partner_email",
        store=True,
        readonly=False,
        # trigram: Odoo's loop detection searches it with ilike on every new mail
        index="trigram",
        help="Address of the sender; replies go there.",
    )
    # not a related field: Odoo replaces the search method of related fields
    partner_ref = fields.Char(
        string="Customer No.",
        compute="_compute_partner_ref",
        search="_search_partner_ref",
    )
    partner_delivery_block = fields.Boolean(
        string="Delivery Block", compute="_compute_partner_delivery_block"
    )
    partner_email_bounced = fields.Boolean(
        string="E-mail Undeliverable",
        compute="_compute_partner_email_bounced",
        store=True,
        readonly=False,
        # computed before the INSERT: no extra UPDATE for every new ticket
        precompute=True,
        help="Mail to the customer's address came back as undeliverable (the "
        "customer's bounce counter; for senders without a contact, a delivery "
        "report noted on this ticket). Cleared when the address writes again.",
    )
    customer_display = fields.Char(
        string="Customer or E-mail", compute="_compute_customer_display"
    )
    partner_ticket_count = fields.Integer(compute="_compute_partner_ticket_count")
    customer_lang = fields.Char(
        string="Customer Language",
        compute="_compute_customer_lang",
        help="Language of the mail to the customer: the customer's, else the "
        "queue's (unknown sender), else the company's.",
    )
    tag_ids = fields.Many2many(
        "ticket.tag",
        "ticket_ticket_tag_rel",
        "ticket_id",
        "tag_id",
        string="Tags",
        groups="base.group_user",
    )
    relay_email = fields.Char(
        string="Relayed By",
        readonly=True,
        copy=False,
        help="The mail opening this ticket came from this relay (a webshop's contact "
        "form, a form mailer, a marketplace) on behalf of the customer, whose address "
        "was taken from its Reply-To.",
    )
    parent_id = fields.Many2one(
        "ticket.ticket",
        string="Parent Ticket",
        index="btree_not_null",
        check_company=True,
        domain="[('id', '!=', id)]",
    )
    child_ids = fields.One2many("ticket.ticket", "parent_id", string="Sub-tickets")
    merged_into_id = fields.Many2one(
        "ticket.ticket",
        string="Merged Into",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="This ticket was merged into that one, which holds its conversation; "
        "mail naming this ticket's number goes there.",
    )
    child_count = fields.Integer(compute="_compute_child_progress")
    child_closed_count = fields.Integer(compute="_compute_child_progress")
    child_progress = fields.Float(
        string="Sub-ticket Progress", compute="_compute_child_progress"
    )
    owner_ids = fields.One2many(
        "ticket.owner",
        "ticket_id",
        string="Owners",
        copy=True,
        groups="base.group_user",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "ticket_ticket_account_move_rel",
        "ticket_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund', 'in_invoice', "
        "'in_refund')), ('company_id', '=', company_id), "
        "('commercial_partner_id', '=?', partner_commercial_id)]",
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    date_last_action = fields.Datetime(
        string="Last Action", default=fields.Datetime.now, copy=False, index=True
    )
    last_action_by = fields.Selection(
        [("customer", "Customer"), ("agent", "Agent")],
        copy=False,
    )
    last_action_author = fields.Char(
        string="Last Action By (Name)",
        copy=False,
        help="Who wrote the last message to or from the customer.",
    )
    channel = fields.Selection(
        [
            ("email", "E-mail"),
            ("phone", "Phone"),
            ("portal", "Portal"),
            ("web", "Web Form"),
            ("manual", "Manual"),
        ],
        default="manual",
        required=True,
    )
    fetchmail_server_id = fields.Many2one(
        "fetchmail.server",
        string="Mailbox",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="Incoming mail account this ticket came from.",
    )
    submitter_ip = fields.Char(
        string="Submitter IP",
        readonly=True,
        copy=False,
        # the contact form counts the recent tickets of an address (rate limit)
        index="btree_not_null",
        groups="base.group_user",
        help="Network address the contact form was sent from.",
    )

    _sql_constraints = [
        (
            "number_company_uniq",
            "unique (company_id, number)",
            "Ticket numbers must be unique per company.",
        ),
    ]

    # ------------------------------------------------------------
    # COMPUTE / SEARCH
    # ------------------------------------------------------------

    @api.depends("queue_id")
    def _compute_company_id(self):
        for ticket in self:
            if ticket.queue_id:
                ticket.company_id = ticket.queue_id.company_id
            elif not ticket.company_id:
                ticket.company_id = self.env.company

    @api.depends("type_id")
    def _compute_allowed_stage_ids(self):
        stages = self.env["ticket.stage"].search([])
        for ticket in self:
            ticket.allowed_stage_ids = stages.filtered(ticket._stage_allowed)

    def _stage_allowed(self, stage):
        return not self.type_id or not stage.type_ids or self.type_id in stage.type_ids

    @api.depends("type_id")
    def _compute_stage_id(self):
        stages = self.env["ticket.stage"].search([])
        for ticket in self:
            if not ticket.stage_id or not ticket._stage_allowed(ticket.stage_id):
                ticket.stage_id = stages.filtered(ticket._stage_allowed)[:1]

    @api.depends("is_closed")
    def _compute_date_closed(self):
        for ticket in self:
            if not ticket.is_closed:
                ticket.date_closed = False
            elif not ticket.date_closed:
                ticket.date_closed = fields.Datetime.now()

    @api.depends("partner_id")
    def _compute_partner_name(self):
        for ticket in self:
            if ticket.partner_id:
                ticket.partner_name = ticket.partner_id.name

    @api.depends("partner_id")
    def _compute_partner_email(self):
        for ticket in self:
            if ticket.partner_id.email_normalized:
                ticket.partner_email = ticket.partner_id.email_normalized

    @api.depends("partner_id.commercial_partner_id.ref")
    def _compute_partner_ref(self):
        for ticket in self:
            ticket.partner_ref = ticket.partner_id.commercial_partner_id.ref

    def _search_partner_ref(self, operator, value):
        """Several customer numbers at once: '10001, 10002; 10003'."""
        if operator not in ("=", "ilike", "like", "=ilike") or not isinstance(
            value, str
        ):
            return [("partner_id.commercial_partner_id.ref", operator, value)]
        refs = [ref.strip() for ref in re.split(r"[,;]", value) if ref.strip()]
        if len(refs) <= 1:
            return [("partner_id.commercial_partner_id.ref", operator, value.strip())]
        return [("partner_id.commercial_partner_id.ref", "in", refs)]

    @api.depends(
        "partner_id.delivery_block", "partner_id.commercial_partner_id.delivery_block"
    )
    def _compute_partner_delivery_block(self):
        for ticket in self:
            partner = ticket.partner_id
            ticket.partner_delivery_block = (
                partner.delivery_block or partner.commercial_partner_id.delivery_block
            )

    @api.depends("partner_id.message_bounce")
    def _compute_partner_email_bounced(self):
        for ticket in self:
            ticket.partner_email_bounced = ticket.partner_id.message_bounce > 0

    @api.depends("partner_id", "partner_name", "partner_email")
    def _compute_customer_display(self):
        for ticket in self:
            ticket.customer_display = (
                ticket.partner_id.display_name
                or ticket.partner_name
                or ticket.partner_email
            )

    @api.depends("partner_id")
    def _compute_partner_ticket_count(self):
        partners = self.partner_id.commercial_partner_id
        counts = (
            dict(
                self.env["ticket.ticket"]._read_group(
                    [("partner_id", "child_of", partners.ids)],
                    ["partner_id"],
                    ["__count"],
                )
            )
            if partners
            else {}
        )
        for ticket in self:
            commercial = ticket.partner_id.commercial_partner_id
            ticket.partner_ticket_count = sum(
                count
                for partner, count in counts.items()
                if commercial and partner.commercial_partner_id == commercial
            )

    @api.depends("partner_id.lang", "queue_id.lang", "company_id")
    def _compute_customer_lang(self):
        for ticket in self:
            ticket.customer_lang = (
                ticket.partner_id.lang
                or ticket.queue_id.lang
                or ticket.company_id.partner_id.lang
                or "en_US"
            )

    @api.depends("child_ids.is_closed")
    def _compute_child_progress(self):
        groups = self.env["ticket.ticket"]._read_group(
            [("parent_id", "in", self.ids)], ["parent_id", "is_closed"], ["__count"]
        )
        totals, closed = {}, {}
        for parent, is_closed, count in groups:
            totals[parent] = totals.get(parent, 0) + count
            if is_closed:
                closed[parent] = closed.get(parent, 0) + count
        for ticket in self:
            total = totals.get(ticket._origin, 0)
            ticket.child_count = total
            ticket.child_closed_count = closed.get(ticket._origin, 0)
            ticket.child_progress = (
                100.0 * ticket.child_closed_count / total if total else 0.0
            )

    @api.depends("time_entry_ids.hours")
    def _compute_time_spent(self):
        for ticket in self:
            # sudo: the total counts every entry, also those a rule hides
            ticket.time_spent = sum(ticket.sudo().time_entry_ids.mapped("hours"))

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        for ticket in self:
            ticket.invoice_count = len(ticket.invoice_ids)

    @api.depends("number", "name")
    def _compute_display_name(self):
        for ticket in self:
            if ticket.number and ticket.number != "/":
                ticket.display_name = f"[{ticket.number}] {ticket.name or ''}"
            else:
                ticket.display_name = ticket.name

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        stage_domain = [("fold", "=", False)]
        type_id = self.env.context.get("default_type_id")
        if type_id:
            stage_domain = expression.AND(
                [
                    stage_domain,
                    ["|", ("type_ids", "=", False), ("type_ids", "in", type_id)],
                ]
            )
        return stages.search(expression.OR([[("id", "in", stages.ids)], stage_domain]))

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._("A ticket cannot be its own parent, directly or indirectly.")
            )

    @api.constrains("stage_id", "type_id")
    def _check_stage_type(self):
        for ticket in self:
            if ticket.stage_id and not ticket._stage_allowed(ticket.stage_id):
                raise ValidationError(
                    self.env._(
                        "The status %(stage)s is not available for tickets of "
                        "type %(type)s.",
                        stage=ticket.stage_id.name,
                        type=ticket.type_id.name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # sudo: agents may not read ir.sequence configuration, only draw numbers
        Sequence = self.env["ir.sequence"].sudo()
        add_creator = not self.env.su and self.env.user._is_internal()
        if add_creator:
            creator_role = self.env.ref(
                "ticket_system.ticket_role_creator", raise_if_not_found=False
            )
        # the transaction time: a ticket and its first message share one timestamp
        now = self.env.cr.now()
        for vals in vals_list:
            self._split_partner_email(vals)
            if (
                vals.get("partner_email")
                and not vals.get("partner_id")
                and (vals.get("channel") not in ("email", None))
            ):
                # a ticket typed in by an agent: a known address is that customer
                # (mail did this search already)
                vals["partner_id"] = self._find_customer(
                    tools.email_normalize(vals["partner_email"])
                ).id
            company = self.env["res.company"].browse(self._company_id_for_vals(vals))
            if vals.get("number", "/") == "/":
                vals["number"] = (
                    Sequence.with_company(company).next_by_code("ticket.ticket")
                    or self._ensure_sequence(company).next_by_id()
                )
            vals.setdefault("date_last_action", now)
            if not vals.get("last_action_by"):
                vals["last_action_by"] = (
                    "customer"
                    if vals.get("channel") in ("email", "portal", "web")
                    else "agent"
                )
            if add_creator and not vals.get("owner_ids"):
                vals["owner_ids"] = [
                    fields.Command.create(
                        {"user_id": self.env.uid, "role_id": creator_role.id}
                    )
                ]
        tickets = super().create(vals_list)
        to_assign = tickets.filtered(
            lambda t: not t.user_id and t.queue_id.assign_method != "manual"
        )
        for queue, queue_tickets in to_assign.grouped("queue_id").items():
            queue._assign_tickets(queue_tickets)
        return tickets

    def write(self, vals):
        self._split_partner_email(vals)
        res = super().write(vals)
        if "partner_email" in vals and "partner_email_bounced" not in vals:
            # a sender without a contact: the flag was about the old address
            self.filtered(
                lambda t: t.partner_email_bounced and not t.partner_id
            ).partner_email_bounced = False
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=ticket.name))
            for ticket, vals in zip(self, vals_list, strict=True)
        ]

    def _check_owner_access(self):
        """Changing the owners of a ticket needs write access to it; tickets the
        user creates in this very transaction are theirs to staff."""
        if self.env.su:
            return
        # sudo: who created a ticket and when, for tickets maybe not readable yet
        created_now = self.sudo().filtered(
            lambda t: t.create_uid == self.env.user
            and t.create_date == self.env.cr.now()
        )
        (self - created_now.with_env(self.env)).check_access("write")

    @api.model
    def _split_partner_email(self, vals):
        """'Max Muster <Max@Example.com>' -> name and normalized address: the
        address is compared (autoresponder limit, participants) as stored."""
        if not vals.get("partner_email"):
            return
        name, email = tools.parse_contact_from_email(vals["partner_email"])
        if email:
            vals["partner_email"] = email
            if name and not vals.get("partner_name"):
                vals["partner_name"] = name

    @api.model
    def _company_id_for_vals(self, vals):
        """The company the new ticket will get, as the ORM resolves it: explicit or
        context default company, else the company of the (default) queue."""
        context = self.env.context
        queue_id = vals.get("queue_id", context.get("default_queue_id"))
        return (
            vals.get("company_id")
            or context.get("default_company_id")
            or self.env["ticket.queue"].browse(queue_id).company_id.id
            or self.env.company.id
        )

    @api.model
    def _ensure_sequence(self, company):
        """Each company numbers its tickets with its own sequence, created on
        its first ticket."""
        # sudo: sequences are configuration; agents creating tickets only need one
        return (
            self.env["ir.sequence"]
            .sudo()
            .create(
                {
                    "name": self.env._("Ticket (%(company)s)", company=company.name),
                    "code": "ticket.ticket",
                    "prefix": "T",
                    "padding": 5,
                    "company_id": company.id,
                }
            )
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_assign_to_me(self):
        self.user_id = self.env.user

    def action_view_partner_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ticket_system.ticket_ticket_action"
        )
        action["domain"] = [
            ("partner_id", "child_of", self.partner_id.commercial_partner_id.ids)
        ]
        action["context"] = {"default_partner_id": self.partner_id.id}
        return action

    def action_view_children(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ticket_system.ticket_ticket_action"
        )
        action["domain"] = [("parent_id", "=", self.id)]
        action["context"] = {
            "default_parent_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_queue_id": self.queue_id.id,
        }
        return action

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"create": False}
        if len(self.invoice_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.invoice_ids.id
        return action

    def _portal_mark_solved(self, user):
        """The customer ``user`` says the ticket is solved (portal button):
        a message in their name, then the Solved status (or the first closed
        status the ticket's type allows)."""
        self.ensure_one()
        stages = self.env.ref("ticket_system.ticket_stage_solved") | self.env[
            "ticket.stage"
        ].search([("is_closed", "=", True)])
        stage = stages.filtered(self._stage_allowed)[:1]
        if not stage:
            return False
        # sudo: portal users only read tickets; the caller checked that this
        # one is theirs. with_user: the chatter names the customer
        as_customer = self.with_user(user).sudo()
        # posted before the status changes: a customer writing into a solved
        # ticket reopens it (_message_post_after_hook)
        as_customer.message_post(
            body=self.env._("Marked as solved by the customer."),
            author_id=user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        # tracking (and its status mail) runs at commit, without this context:
        # the transaction remembers which tickets the customer closed
        self.env.cr.precommit.data.setdefault("ticket.closed_by_customer", set()).add(
            self.id
        )
        as_customer.stage_id = stage
        return True

    # ------------------------------------------------------------
    # MESSAGING
    # ------------------------------------------------------------

    @api.model
    def _find_customer(self, email_normalized):
        """The partner a mail address belongs to. Several partners may share an
        address (a company and its contact, duplicates): prefer the one with a
        customer number, then the commercial entity, then the oldest."""
        if not email_normalized:
            return self.env["res.partner"]
        partners = self.env["res.partner"].search_fetch(
            [("email_normalized", "=", email_normalized)],
            # message_bounce: the new ticket shows whether the address bounced
            ["ref", "parent_id", "is_company", "message_bounce"],
            limit=20,
        )
        return partners.sorted(
            lambda p: (not p.ref, bool(p.parent_id) and not p.is_company, p.id)
        )[:1]

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        name, email = tools.parse_contact_from_email(msg_dict.get("email_from") or "")
        searched = self.env.cr.cache.get("ticket_author_searched") == (
            msg_dict.get("message_id"),
            msg_dict.get("email_from"),
        )
        customer = self.env["res.partner"].browse(msg_dict.get("author_id"))
        if customer or not searched:
            customer = self._find_customer(email) or customer
        defaults = {
            "name": msg_dict.get("subject") or self.env._("No Subject"),
            "description": msg_dict.get("body"),
            "partner_id": customer.id,
            "partner_name": customer.name or name or email,
            "channel": "email",
            "last_action_by": "customer",
            "last_action_author": name or msg_dict.get("email_from"),
            "queue_id": False,
        }
        relay_email = self.env.context.get("ticket_relay_email")
        if relay_email:
            defaults["relay_email"] = relay_email
        server = self.env["fetchmail.server"].browse(
            self.env.context.get("ticket_fetchmail_server_id")
        )
        if server:
            defaults["fetchmail_server_id"] = server.id
            defaults["queue_id"] = server.queue_id.id
        defaults.update(custom_values or {})
        # the user running the gateway must not become the agent; the name is
        # always given (see ticket.ingest.mixin)
        self.env.cr.cache["ticket_gateway_new"] = True
        try:
            ticket = super(
                TicketTicket, self.with_context(default_user_id=False)
            ).message_new(msg_dict, custom_values=defaults)
        finally:
            self.env.cr.cache.pop("ticket_gateway_new", None)
        if not self.env.context.get("ticket_no_autoreply"):
            # answered once the incoming mail is posted (_message_post_after_hook)
            ticket = ticket.with_context(ticket_autoreply_pending=True)
        referred = ticket._subject_tag_ticket(msg_dict)
        if referred and referred != ticket:
            ticket._message_log(
                body=self.env._(
                    "This mail refers to ticket %(number)s, but the sender is not a "
                    "participant of that ticket: it was opened as a new ticket.",
                    number=referred.number,
                )
            )
        return ticket

    @api.model
    def _relay_reply_to(self, message, message_dict, custom_values=None):
        """The customer's address ('Name <address>') of a mail a relay sender
        (webshop contact form, form mailer, marketplace) sent on the
        customer's behalf, or False. Relayed: the sender is a relay sender of
        a receiving queue, the mail is not automatic (Auto-Submitted), and its
        Reply-To names an address that is neither the sender, nor a listed
        relay sender, nor one of ours. Mail without Reply-To costs nothing."""
        reply_to = message.get("Reply-To")
        if not reply_to:
            return False
        sender = tools.email_normalize(message_dict.get("email_from") or "")
        candidates = [
            (formatted, tools.email_normalize(formatted))
            for formatted in email_split_and_format(str(reply_to))
        ]
        candidates = [
            (f, email) for f, email in candidates if email and email != sender
        ]
        if not sender or not candidates:
            return False
        # an autoresponder behind the relay answers nobody's request; a form
        # mailer marking its mail auto-generated passes a customer's one on
        auto_submitted = self.env["mail.thread"]._ticket_auto_submitted(message)
        if auto_submitted.startswith("auto-replied"):
            return False
        queues = self._receiving_queues(message_dict, custom_values)
        if not queues._is_relay_sender(sender):
            return False
        own = self._own_addresses([email for __, email in candidates])
        for formatted, email in candidates:
            if email not in own and not queues._is_relay_sender(
                email, listed_only=True
            ):
                return formatted
        return False

    @api.model
    def _receiving_queues(self, message_dict, custom_values=None):
        """The queues a mail is addressed to: queue aliases among its
        recipients, the queue of the mailbox it was fetched from, the queue
        of the default values."""
        # sudo: aliases, mailboxes and queues are configuration the gateway reads
        Queue = self.env["ticket.queue"].sudo()
        recipients = tools.email_normalize_all(
            ",".join(
                filter(None, (message_dict.get("recipients"), message_dict.get("to")))
            )
        )
        queues = (
            Queue.search([("alias_id.alias_full_name", "in", recipients)])
            if recipients
            else Queue
        )
        server_id = self.env.context.get("default_fetchmail_server_id")
        if server_id:
            queues |= self.env["fetchmail.server"].sudo().browse(server_id).queue_id
        queue_id = (custom_values or {}).get("queue_id")
        if queue_id:
            queues |= Queue.browse(queue_id)
        return queues

    @api.model
    def _routing_subject_tag(self, message, message_dict, custom_values=None):
        """Route for a mail whose subject names a ticket the sender takes part in.

        Replies recognised by their headers are left to the standard routing,
        which comes first. A tag naming a ticket of which the sender is no
        participant (mistyped or forged) gives no route: the mail becomes a new
        ticket, which ``message_new`` marks with a note, never a post in the
        foreign ticket. The number of a merged ticket leads to the ticket it
        was merged into."""
        if not SUBJECT_TAG.search(message_dict.get("subject") or ""):
            return False
        references = (message_dict.get("references") or "").split() + (
            message_dict.get("in_reply_to") or ""
        ).split()
        if references and self.env["mail.message"].sudo().search_count(
            [("message_id", "in", references[-32:])], limit=1
        ):
            return False
        ticket = self._subject_tag_ticket(message_dict)
        if not ticket or not ticket._is_participant(message_dict.get("email_from")):
            return False
        return self._routing_check_route(
            message,
            message_dict,
            (
                "ticket.ticket",
                ticket._merge_destination().id,
                custom_values,
                self.env.uid,
                None,
            ),
            raise_exception=False,
        )

    @api.model
    def _subject_tag_ticket(self, message_dict):
        """The ticket named by the one number tag in the subject, looked up in
        the company of the receiving address; several tags count as none."""
        numbers = set(SUBJECT_TAG.findall(message_dict.get("subject") or ""))
        if len(numbers) != 1:
            return self.browse()
        company = self._routing_company(message_dict)
        # sudo: routing runs before any access check; callers check the sender
        tickets = (
            self.sudo()
            .with_context(active_test=False)
            .search([("number", "=", numbers.pop()), ("company_id", "=", company.id)])
        )
        return tickets if len(tickets) == 1 else self.browse()

    @api.model
    def _routing_company(self, message_dict):
        """The company of the address that received the mail: a queue alias
        among the recipients, else the queue of the mailbox it was fetched
        from, else the current company."""
        recipients = tools.email_normalize_all(
            ",".join(
                filter(None, (message_dict.get("recipients"), message_dict.get("to")))
            )
        )
        if recipients:
            # sudo: aliases and queues are configuration the gateway must read
            queues = (
                self.env["ticket.queue"]
                .sudo()
                .with_context(active_test=False)
                .search([("alias_id.alias_full_name", "in", recipients)])
            )
            if len(queues.company_id) == 1:
                return queues.company_id
        server_id = self.env.context.get("default_fetchmail_server_id")
        if server_id:
            server = self.env["fetchmail.server"].sudo().browse(server_id)
            if server.queue_id:
                return server.queue_id.company_id
        return self.env.company

    @api.model
    def _fill_last_action_author(self):
        """Name the author of the last public message on tickets that have
        none yet (created before the name was kept, or as demo data)."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE ticket_ticket t
               SET last_action_author = COALESCE(p.name, m.email_from)
              FROM (
                    SELECT DISTINCT ON (msg.res_id)
                           msg.res_id, msg.author_id, msg.email_from
                      FROM mail_message msg
                 LEFT JOIN mail_message_subtype st ON st.id = msg.subtype_id
                     WHERE msg.model = 'ticket.ticket'
                       AND msg.message_type IN ('email', 'comment')
                       AND st.internal IS NOT TRUE
                       AND msg.author_id IS DISTINCT FROM %s
                  ORDER BY msg.res_id, msg.date DESC, msg.id DESC
                   ) m
              LEFT JOIN res_partner p ON p.id = m.author_id
             WHERE t.id = m.res_id AND t.last_action_author IS NULL
            """,
            # automatic answers are nobody's action
            [self.env.ref("base.partner_root").id],
        )
        self.invalidate_model(["last_action_author"])

    @api.model
    def _report_ticket(self, message_dict, report):
        """The ticket a delivery report refers to: the one of the returned
        mail (its Message-Id, Odoo's ``bounced_message``, or one copied into
        the report), else the number tag in the report's or the returned
        mail's subject, else the most recent open ticket of the failed
        address."""
        # sudo: routing runs before any access check; only a note is written
        Ticket = self.sudo().with_context(active_test=False)
        bounced = message_dict.get("bounced_message")
        if bounced and bounced.model == self._name and bounced.res_id:
            ticket = Ticket.browse(bounced.res_id).exists()
            if ticket:
                return ticket._merge_destination()
        message_ids = report.get("message_ids") or []
        if message_ids:
            message = (
                self.env["mail.message"]
                .sudo()
                .search(
                    [
                        ("message_id", "in", message_ids[-32:]),
                        ("model", "=", self._name),
                    ],
                    order="id desc",
                    limit=1,
                )
            )
            ticket = Ticket.browse(message.res_id).exists()
            if ticket:
                return ticket._merge_destination()
        for subject in [message_dict.get("subject")] + (report.get("subjects") or []):
            ticket = self._subject_tag_ticket(dict(message_dict, subject=subject))
            if ticket:
                return ticket._merge_destination()
        address = report.get("address")
        if not address:
            return self.browse()
        return self.sudo().search(
            [
                "|",
                ("partner_email", "=", address),
                ("partner_id.email_normalized", "=", address),
                ("is_closed", "=", False),
            ],
            order="create_date desc, id desc",
            limit=1,
        )

    def _note_delivery_failure(self, message_dict, report):
        """Log a delivery report on the ticket: an internal note carrying the
        report's Message-Id, so that the same report delivered again is
        dropped by the gateway. The customer's address is flagged: Odoo
        counts the bounce on its partners; a sender without a contact is
        flagged on the ticket."""
        self.ensure_one()
        address = report.get("address") or self.env._("an unknown address")
        reason = report.get("reason") or self.env._("no reason given")
        body = Markup("<p>%s</p>") % self.env._(
            "Delivery to %(address)s failed: %(reason)s", address=address, reason=reason
        )
        message = self._message_log(body=body)
        if message_dict.get("message_id"):
            message.message_id = message_dict["message_id"]
        if address == tools.email_normalize(self.partner_email or "") and (
            not self.partner_id or self.partner_id.email_normalized == address
        ):
            self.partner_email_bounced = True
        return message

    def _merge_destination(self):
        """The ticket holding this one's conversation: itself, or the ticket
        it was merged into (in turn merged further, maybe)."""
        self.ensure_one()
        ticket, seen = self, set()
        while ticket.merged_into_id and ticket.id not in seen:
            seen.add(ticket.id)
            ticket = ticket.merged_into_id
        return ticket

    def _is_participant(self, email_from):
        """Whether the sender of a mail may write into this ticket: its customer
        (same commercial partner), its address, a follower or a CC address."""
        self.ensure_one()
        email = tools.email_normalize(email_from or "")
        if not email:
            return False
        if email in (
            tools.email_normalize(self.partner_email or ""),
            self.partner_id.email_normalized,
        ):
            return True
        if email in tools.email_normalize_all(self.email_cc or ""):
            return True
        if email in self.message_partner_ids.mapped("email_normalized"):
            return True
        commercial = self.partner_id.commercial_partner_id
        return bool(commercial) and bool(
            self.env["res.partner"].search_count(
                [
                    ("email_normalized", "=", email),
                    ("commercial_partner_id", "=", commercial.id),
                ],
                limit=1,
            )
        )

    def _message_post_after_hook(self, message, msg_vals):
        """Remember who acted last; a customer writing again reopens the ticket.
        The mail that opened a ticket gets the queue's autoresponse."""
        if (
            self.env.context.get("ticket_autoreply_pending")
            and message.message_type == "email"
        ):
            ticket = self.with_context(ticket_autoreply_pending=False)
            if self.env.context.get("ticket_confirm_later"):
                # no template rendered now: nothing that could break, no savepoint
                ticket._send_autoresponse(message)
            else:
                ticket._send_autoresponse_guarded(message)
        if (
            message.message_type in ("email", "comment")
            and not message.subtype_id.internal
        ):
            by_agent = any(not user.share for user in message.author_id.user_ids)
            vals = {
                "date_last_action": self.env.cr.now(),
                "last_action_by": "agent" if by_agent else "customer",
                "last_action_author": self._last_action_author(
                    message, msg_vals, by_agent
                ),
            }
            vals.update(self._sla_message_vals(message, by_agent))
            if (
                self.partner_email_bounced
                and not self.partner_id
                and message.message_type == "email"
                and tools.email_normalize(message.email_from or "")
                == tools.email_normalize(self.partner_email or "")
            ):
                # the address works again (a contact's counter is reset by Odoo)
                vals["partner_email_bounced"] = False
            xmlid_to_id = self.env["ir.model.data"]._xmlid_to_res_id
            if not by_agent and self.stage_id.id in (
                xmlid_to_id(
                    "ticket_system.ticket_stage_waiting", raise_if_not_found=False
                ),
                xmlid_to_id(
                    "ticket_system.ticket_stage_solved", raise_if_not_found=False
                ),
            ):
                in_progress = self.env.ref("ticket_system.ticket_stage_in_progress")
                if self._stage_allowed(in_progress):
                    vals["stage_id"] = in_progress.id
            self.write(vals)
            if not by_agent and message.message_type == "email":
                self._autolink_documents(message, msg_vals)
                self._absence_notice(message)
        return super()._message_post_after_hook(message, msg_vals)

    @api.model
    def _last_action_author(self, message, msg_vals, by_agent):
        """The agent's name, or the customer as their mail names them (from
        the posted values: no query on the mail path)."""
        if by_agent:
            return message.author_id.name
        email_from = (msg_vals or {}).get("email_from") or message.email_from or ""
        return tools.parse_contact_from_email(email_from)[0] or email_from or False

    def _notify_get_reply_to(self, default=None):
        """Replies go to the queue's address, never to the catchall."""
        # sudo: agents may read tickets of a queue without reading its alias
        aliases = self.sudo().queue_id._notify_get_reply_to(default=default)
        res = {ticket.id: aliases.get(ticket.queue_id.id) for ticket in self}
        leftover = self.filtered(lambda ticket: not ticket.queue_id)
        if leftover:
            res.update(
                super(TicketTicket, leftover)._notify_get_reply_to(default=default)
            )
        return res

    def _get_customer_information(self):
        """Contacts made for a ticket's sender address (status mails, the
        composer) get the sender's name and the ticket's language."""
        values = super()._get_customer_information()
        for ticket in self.filtered(lambda t: t.partner_email and not t.partner_id):
            email = tools.email_normalize(ticket.partner_email)
            if email:
                values.setdefault(email, {}).update(
                    {"name": ticket.partner_name or email, "lang": ticket.customer_lang}
                )
        return values

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        if self.partner_id:
            self._message_add_suggested_recipient(
                recipients, partner=self.partner_id, reason=self.env._("Customer")
            )
        elif self.partner_email:
            self._message_add_suggested_recipient(
                recipients,
                email=self.partner_email,
                reason=self.env._("Customer Email"),
            )
        return recipients

    # ------------------------------------------------------------
    # AUTORESPONDER
    # ------------------------------------------------------------

    def _send_autoresponse_guarded(self, incoming):
        """``_send_autoresponse`` in a savepoint: a broken template must not
        refuse or lose the customer's mail (logged); a passing database
        conflict is raised, so that the whole mail or request is retried."""
        try:
            with self.env.cr.savepoint():
                self._send_autoresponse(incoming)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:
            _logger.exception("Confirmation of ticket %s failed", self.number)

    def _send_autoresponse(self, incoming):
        """Confirm the ticket to the sender of ``incoming``, the mail that opened
        it: a customer-visible message in the chatter, mailed to the sender's
        address (known customer or not) and marked as automatic."""
        self.ensure_one()
        queue = self.queue_id
        email = tools.email_normalize(self.partner_email or "")
        if not (queue.autoresponder and email):
            return
        template = queue.autoresponder_template_id or self.env.ref(
            "ticket_system.mail_template_ticket_autoresponder", raise_if_not_found=False
        )
        if not template:
            return
        if self._own_addresses([email]):
            return
        reason = self._autoresponse_limit_reached(email)
        if reason:
            self.env["mail.thread"]._ticket_note_suppressed_confirmation(
                self, email, incoming, reason
            )
            return
        self._autoresponse_deliver(incoming, template)

    @api.model
    def _own_addresses(self, emails):
        """Those of the normalized ``emails`` that belong to this database:
        aliases, catchall, bounce, default sender, company addresses and the
        mailboxes it fetches. Never answer those. One query for any number
        of addresses (it runs for every confirmation)."""
        emails = set(filter(None, emails))
        if not emails:
            return set()
        # read as the ORM would (active companies and mailboxes, the alias
        # domains' computed addresses), pending changes included
        for model, names in (
            ("mail.alias.domain", ["name", "bounce_alias", "catchall_alias"]),
            ("mail.alias.domain", ["default_from"]),
            ("res.company", ["email", "active"]),
            ("mail.alias", ["alias_full_name"]),
            ("fetchmail.server", ["user", "active"]),
        ):
            self.env[model].flush_model(names)
        self.env.cr.execute(
            SQL(
                """
                SELECT catchall_alias || '@' || name FROM mail_alias_domain
                 WHERE catchall_alias IS NOT NULL
                UNION ALL
                SELECT bounce_alias || '@' || name FROM mail_alias_domain
                 WHERE bounce_alias IS NOT NULL
                UNION ALL
                SELECT CASE WHEN position('@' IN default_from) > 0 THEN default_from
                            ELSE default_from || '@' || name END
                  FROM mail_alias_domain WHERE default_from IS NOT NULL
                UNION ALL
                SELECT email FROM res_company WHERE active AND email IS NOT NULL
                UNION ALL
                SELECT "user" FROM fetchmail_server WHERE active
                UNION ALL
                SELECT alias_full_name FROM mail_alias WHERE alias_full_name IN %s
                """,
                tuple(emails),
            )
        )
        own = {tools.email_normalize(row[0] or "") for row in self.env.cr.fetchall()}
        return emails & own

    def _ticket_subject(self, subject):
        """Every mail about a ticket names it: [T00042] in the subject."""
        self.ensure_one()
        tag = f"[{self.number}]"
        subject = " ".join((subject or "").splitlines())
        if not self.number or tag in subject:
            return subject or tag
        return f"{tag} {subject}" if subject else f"{tag} {self.name}"

    # ------------------------------------------------------------
    # OUTGOING MAIL
    # ------------------------------------------------------------

    def _track_template(self, changes):
        """A status with a template mails the customer when a ticket enters it,
        as a message (not a note) so the customer sees it."""
        res = super()._track_template(changes)
        ticket = self[0]
        if ticket.id in self.env.cr.precommit.data.get("ticket.closed_by_customer", ()):
            # the customer closed it in the portal: no mail telling them so
            return res
        if "stage_id" in changes and ticket.stage_id.template_id:
            res["stage_id"] = (
                ticket.stage_id.template_id,
                {
                    "auto_delete_keep_log": False,
                    "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id(
                        "mail.mt_comment"
                    ),
                    "email_layout_xmlid": "mail.mail_notification_light",
                },
            )
        return res

    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        """Internal notes reach colleagues only, never the customer, not even
        when the note names them."""
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        subtype_id = (
            msg_vals.get("subtype_id")
            if msg_vals and "subtype_id" in msg_vals
            else message.subtype_id.id
        )
        subtype = self.env["mail.message.subtype"].browse(subtype_id)
        is_internal = (msg_vals or {}).get("is_internal", message.is_internal)
        if subtype.internal or is_internal:
            recipients = [
                r for r in recipients if r.get("type") == "user" and not r.get("share")
            ]
        return recipients

    def _notify_by_email_get_base_mail_values(self, message, additional_values=None):
        """Ticket mails name the ticket in the subject and leave through the
        queue's outgoing server."""
        values = super()._notify_by_email_get_base_mail_values(
            message, additional_values=additional_values
        )
        if len(self) == 1:
            subject = (
                values.get("subject")
                or message.subject
                or self._message_compute_subject()
            )
            values["subject"] = self._ticket_subject(subject)
            if self.queue_id.mail_server_id:
                values["mail_server_id"] = self.queue_id.mail_server_id.id
        return values

    def _notify_by_email_prepare_rendering_context(
        self, message, msg_vals=False, **kwargs
    ):
        """Quote earlier mails below an answer, as the queue asks."""
        context = super()._notify_by_email_prepare_rendering_context(
            message, msg_vals=msg_vals, **kwargs
        )
        if len(self) == 1 and context.get("is_discussion"):
            context["ticket_quoted_messages"] = self._reply_quoted_messages(message)
        return context

    def _reply_quoted_messages(self, message):
        """Earlier public mails of the conversation to quote below ``message``."""
        limit = {"none": 0, "last": 1, "last_3": 3, "all": None}[
            self.queue_id.reply_quote or "last"
        ]
        if limit == 0:
            return self.env["mail.message"]
        # sudo: the quote shows what the recipient saw already, whoever renders it
        return (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("id", "<", message.id),
                    ("message_type", "in", ("email", "comment")),
                    ("subtype_id.internal", "=", False),
                    ("is_internal", "=", False),
                ],
                order="id desc",
                limit=limit,
            )
        )

    def message_post(self, **kwargs):
        """Answers and status mails of agents leave from the queue's address;
        an agent's answer goes to the sender and the CC of the ticket."""
        by_agent = (
            len(self) == 1
            and kwargs.get("message_type", "notification")
            in ("comment", "auto_comment")
            and not self.env.user.share
        )
        if (
            by_agent
            and self.queue_id
            and kwargs.get("email_from") in (None, False, self.env.user.email_formatted)
        ):
            kwargs["email_from"] = self.queue_id._ticket_email_from(self.env.user)
            kwargs.setdefault("author_id", self.env.user.partner_id.id)
        if (
            by_agent
            and kwargs.get("message_type") == "comment"
            and self._is_public_post(kwargs)
        ):
            recipients = self._reply_recipients()
            kwargs["partner_ids"] = list(
                dict.fromkeys(list(kwargs.get("partner_ids") or []) + recipients.ids)
            )
        unfilled = {}
        if (
            len(self) == 1
            and not self.env.user.share
            and kwargs.get("message_type", "notification") != "email"  # incoming mail
            and self._is_public_post(kwargs)
        ):
            # placeholders: an agent's answer refuses to go out half-filled,
            # automatic mails (status templates, server actions) never fail
            unfilled = self._placeholder_fill_post(
                kwargs,
                strict=kwargs.get("message_type", "notification") == "comment"
                and self.env.user != self.env.ref("base.user_root"),
            )
        message = super().message_post(**kwargs)
        self._placeholder_log_unfilled(unfilled)
        return message

    def _is_public_post(self, post_values):
        """Whether a message_post call is a message (not an internal note)."""
        if post_values.get("subtype_xmlid"):
            return post_values["subtype_xmlid"] == "mail.mt_comment"
        subtype_id = post_values.get("subtype_id")
        return (
            bool(subtype_id)
            and not self.env["mail.message.subtype"].browse(subtype_id).internal
        )

    def _reply_recipients(self):
        """Partners for the ticket's sender address and its CC addresses, found
        by address or created, so that an answer reaches them all."""
        emails = self._reply_recipient_emails()
        if not emails:
            return self.partner_id
        # sudo: mailing needs partners for the addresses; agents may lack the
        # right to create contacts, and only these addresses are created.
        # They speak the ticket's language (the queue's), not the default one
        partners = (
            self.sudo()
            .with_context(default_lang=self.customer_lang)
            ._mail_find_partner_from_emails(emails, records=self, force_create=True)
        )
        found = self.env["res.partner"].browse([p.id for p in partners if p])
        return self.partner_id | found
