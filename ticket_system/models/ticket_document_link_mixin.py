from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

PANEL_LIMIT = 8


class TicketDocumentLinkMixin(models.AbstractModel):
    """M-Ticket "Verknüpfter Beleg": the invoices and orders linked to a ticket
    belong to its customer.

    Linking a document of another customer (commercial partner) needs the
    agent's confirmation — the context key ``ticket_link_foreign_confirmed``,
    set by the Link Document wizard and by a merge — and is logged on the
    ticket. Every agent sees what a linked document is (number, date, amount,
    state), read-only, also without accounting or sales rights."""

    _name = "ticket.document.link.mixin"
    _description = "Ticket Linked Documents"

    partner_commercial_id = fields.Many2one(
        "res.partner",
        string="Customer Company",
        compute="_compute_partner_commercial_id",
        help="Documents to link are offered among this company's.",
    )
    linked_document_info = fields.Html(
        string="Linked Documents (Summary)",
        compute="_compute_linked_document_info",
        sanitize=False,
        help="The linked documents you may not open: what they are.",
    )

    customer_invoice_ids = fields.Many2many(
        "account.move",
        string="Recent Invoices of the Customer",
        compute="_compute_customer_invoice_ids",
        help="The customer's latest invoices and credit notes not linked yet.",
    )

    @api.depends("partner_id.commercial_partner_id")
    def _compute_partner_commercial_id(self):
        for ticket in self:
            ticket.partner_commercial_id = ticket.partner_id.commercial_partner_id

    @api.model
    def _ticket_link_fields(self):
        """The ticket's fields holding linked documents (bridges add theirs)."""
        return ["invoice_ids"]

    # ------------------------------------------------------------
    # CUSTOMER CHECK
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        fields_set = {
            name
            for vals in vals_list
            for name in vals
            if name in self._ticket_link_fields()
        }
        if fields_set:
            empty = {
                name: self.env[self._fields[name].comodel_name] for name in fields_set
            }
            for ticket in tickets:
                ticket._check_linked_documents(empty)
        return tickets

    def write(self, vals):
        names = [name for name in self._ticket_link_fields() if name in vals]
        if not names:
            return super().write(vals)
        # sudo: documents an agent may not read are linked all the same
        before = {
            ticket: {name: ticket.sudo()[name] for name in names} for ticket in self
        }
        result = super().write(vals)
        for ticket, documents in before.items():
            ticket._check_linked_documents(documents)
        return result

    def _check_linked_documents(self, before):
        """Refuse documents of another customer added since ``before``
        ({field: documents}) unless confirmed; log the confirmed ones."""
        self.ensure_one()
        commercial = self.partner_id.commercial_partner_id
        if not commercial:
            return
        foreign = []
        for name, documents in before.items():
            added = self.sudo()[name] - documents
            foreign += added.filtered(
                lambda doc: doc.partner_id.commercial_partner_id != commercial
            )
        if not foreign:
            return
        if not self.env.context.get("ticket_link_foreign_confirmed"):
            owners = {doc: doc.partner_id.commercial_partner_id.name for doc in foreign}
            raise UserError(
                self.env._(
                    "%(documents)s belong(s) to another customer than %(customer)s, "
                    "the customer of ticket %(number)s. Use 'Link Invoice or "
                    "Order…' and confirm to link it all the same.",
                    documents=", ".join(
                        f"{doc.display_name} ({owner})" for doc, owner in owners.items()
                    ),
                    customer=commercial.name,
                    number=self.number,
                )
            )
        self._message_log(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                self.env._(
                    "Linked, confirmed by %(user)s, although they belong to another "
                    "customer:",
                    user=self.env.user.name,
                ),
                Markup().join(
                    Markup("<li>%s (%s)</li>")
                    % (doc.display_name, doc.partner_id.commercial_partner_id.name)
                    for doc in foreign
                ),
            )
        )

    # ------------------------------------------------------------
    # CUSTOMER PANEL
    # ------------------------------------------------------------

    def _customer_documents_domain(self, model_name):
        """The customer's documents of ``model_name`` in the ticket's company."""
        self.ensure_one()
        domain = [
            ("partner_id", "child_of", self.partner_id.commercial_partner_id.id),
            ("company_id", "=", self.company_id.id),
        ]
        if model_name == "account.move":
            domain += [
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "!=", "cancel"),
            ]
        return domain

    def _recent_customer_documents(self, field_name, limit=PANEL_LIMIT):
        """The customer's latest documents for the panel (those the user may
        read), not linked yet; none without customer."""
        self.ensure_one()
        Model = self.env[self._fields[field_name].comodel_name]
        if not self.partner_id or not Model.has_access("read"):
            return Model
        return Model.search(
            [
                *self._customer_documents_domain(Model._name),
                ("id", "not in", self[field_name].ids),
            ],
            limit=limit,
        )

    @api.depends_context("uid")
    @api.depends("partner_id", "invoice_ids")
    def _compute_customer_invoice_ids(self):
        for ticket in self:
            ticket.customer_invoice_ids = ticket._recent_customer_documents(
                "invoice_ids"
            )

    def _action_customer_documents(self, field_name, action_xmlid, list_view):
        """All of the customer's documents, searchable, each with a Link
        button."""
        self.ensure_one()
        Model = self.env[self._fields[field_name].comodel_name]
        action = self.env["ir.actions.act_window"]._for_xml_id(action_xmlid)
        action.update(
            {
                "name": self.env._(
                    "%(customer)s: link to %(number)s",
                    customer=self.partner_id.commercial_partner_id.name,
                    number=self.number,
                ),
                "domain": self._customer_documents_domain(Model._name),
                "context": {"ticket_link_ticket_id": self.id, "create": False},
                "views": [(self.env.ref(list_view).id, "list"), (False, "form")],
                "view_mode": "list,form",
                "target": "new",
            }
        )
        return action

    def action_ticket_customer_invoices(self):
        return self._action_customer_documents(
            "invoice_ids",
            "account.action_move_out_invoice_type",
            "ticket_system.account_move_view_list_ticket_link",
        )

    # ------------------------------------------------------------
    # FINDING A DOCUMENT BY ITS NUMBER
    # ------------------------------------------------------------

    def _link_candidates(self, reference):
        """The documents (as superuser) of the ticket's company numbered
        ``reference``, the customer's first. Indexed equality lookups."""
        self.ensure_one()
        reference = (reference or "").strip()
        if not reference:
            return []
        commercial = self.partner_id.commercial_partner_id
        found = []
        for name in self._ticket_link_fields():
            model = self.env[self._fields[name].comodel_name].sudo()
            found += model.search(
                [
                    *self._link_search_domain(model._name, reference),
                    ("company_id", "=", self.company_id.id),
                ],
                limit=10,
            )
        return sorted(
            found,
            key=lambda doc: doc.partner_id.commercial_partner_id != commercial,
        )

    @api.model
    def _link_search_domain(self, model_name, reference):
        if model_name == "account.move":
            return [
                ("name", "=ilike", reference),
                (
                    "move_type",
                    "in",
                    ("out_invoice", "out_refund", "in_invoice", "in_refund"),
                ),
            ]
        return [("name", "=ilike", reference)]

    def _link_field_of(self, document):
        return next(
            name
            for name in self._ticket_link_fields()
            if self._fields[name].comodel_name == document._name
        )

    # ------------------------------------------------------------
    # READ-ONLY SUMMARY
    # ------------------------------------------------------------

    @api.depends_context("uid")
    def _compute_linked_document_info(self):
        hidden = [
            name
            for name in self._ticket_link_fields()
            if not self.env[self._fields[name].comodel_name].has_access("read")
        ]
        for ticket in self:
            rows = [
                row
                for name in hidden
                for row in ticket._linked_document_rows(ticket.sudo()[name])
            ]
            ticket.linked_document_info = (
                Markup(
                    '<table class="table table-sm o_ticket_linked_documents">'
                    "<thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                    '<th class="text-end">%s</th><th>%s</th></tr></thead>'
                    "<tbody>%s</tbody></table>"
                )
                % (
                    self.env._("Document"),
                    self.env._("Number"),
                    self.env._("Date"),
                    self.env._("Amount"),
                    self.env._("State"),
                    Markup().join(
                        Markup(
                            "<tr><td>%s</td><td>%s</td><td>%s</td>"
                            '<td class="text-end">%s</td><td>%s</td></tr>'
                        )
                        % row
                        for row in rows
                    ),
                )
                if rows
                else False
            )

    def _linked_document_rows(self, documents):
        """(kind, number, date, amount, state) of each of ``documents``
        (read as superuser: the agent sees these five facts only)."""
        rows = []
        for doc in documents:
            if doc._name == "account.move":
                kind = dict(doc._fields["move_type"]._description_selection(self.env))[
                    doc.move_type
                ]
                state = dict(
                    doc._fields["payment_state"]._description_selection(self.env)
                ).get(doc.payment_state, "")
                date = doc.invoice_date
                amount = doc.amount_total
            else:
                kind, date, amount, state = self._linked_document_values(doc)
            rows.append(
                (
                    kind,
                    doc.name if doc.name and doc.name != "/" else doc.display_name,
                    format_date(self.env, date) if date else "",
                    # documents without an amount (a transfer) give None
                    format_amount(self.env, amount, doc.currency_id)
                    if amount is not None
                    else "",
                    state or "",
                )
            )
        return rows

    def _linked_document_values(self, document):
        """(kind, date, amount, state) of a document of a bridge's model."""
        return document._description, False, 0.0, ""
