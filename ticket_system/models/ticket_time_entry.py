from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# what an invoice line was computed from: frozen once the entry is billed
INVOICED_LOCKED_FIELDS = ("ticket_id", "user_id", "date", "hours")


class TicketTimeEntry(models.Model):
    _name = "ticket.time.entry"
    _description = "Ticket Time Entry"
    _order = "date desc, id desc"
    _check_company_auto = True

    ticket_id = fields.Many2one(
        "ticket.ticket",
        string="Ticket",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="ticket_id.company_id", store=True, index=True, precompute=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    date = fields.Date(required=True, index=True, default=fields.Date.context_today)
    hours = fields.Float(required=True, aggregator="sum")
    name = fields.Char(string="Note")
    invoice_line_id = fields.Many2one(
        "account.move.line",
        string="Invoice Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The invoice line that billed this time; empty: not invoiced yet.",
    )
    # agents without accounting rights may not read invoice lines: the views and
    # the search use this flag instead (not stored: deleting a draft invoice
    # empties invoice_line_id in the database, behind the ORM's back)
    is_invoiced = fields.Boolean(
        string="Invoiced", compute="_compute_is_invoiced", search="_search_is_invoiced"
    )
    ticket_billable = fields.Boolean(
        string="Billable", related="ticket_id.billable", store=True
    )
    # the views make other agents' entries read-only (the record rules decide)
    is_editable = fields.Boolean(compute="_compute_is_editable")

    @api.depends("invoice_line_id")
    def _compute_is_invoiced(self):
        for entry in self:
            entry.is_invoiced = bool(entry.invoice_line_id)

    def _search_is_invoiced(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(
                self.env._(
                    "The search does not support operator %(operator)s or value "
                    "%(value)s.",
                    operator=operator,
                    value=value,
                )
            )
        invoiced = (operator == "=") == value
        return [("invoice_line_id", "!=" if invoiced else "=", False)]

    @api.depends("user_id")
    @api.depends_context("uid")
    def _compute_is_editable(self):
        is_manager = self.env.user.has_group("ticket_system.group_ticket_manager")
        for entry in self:
            entry.is_editable = (
                is_manager
                or not entry._origin.id
                or entry._origin.user_id == self.env.user
            )

    @api.constrains("hours")
    def _check_hours(self):
        for entry in self:
            if entry.hours <= 0:
                raise ValidationError(
                    self.env._(
                        "The hours of a time entry must be positive (%(ticket)s, "
                        "%(date)s).",
                        ticket=entry.ticket_id.display_name,
                        date=entry.date,
                    )
                )

    def write(self, vals):
        if any(fname in vals for fname in INVOICED_LOCKED_FIELDS):
            invoiced = self.filtered("invoice_line_id")
            changed = invoiced.filtered(
                lambda entry: any(
                    entry[fname]
                    != entry._fields[fname].convert_to_record(
                        entry._fields[fname].convert_to_cache(vals[fname], entry),
                        entry,
                    )
                    for fname in INVOICED_LOCKED_FIELDS
                    if fname in vals
                )
            )
            if changed:
                raise UserError(
                    self.env._(
                        "Time already invoiced cannot be changed: %(entries)s.",
                        entries=", ".join(changed._locked_labels()),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        invoiced = self.filtered("invoice_line_id")
        if invoiced:
            raise UserError(
                self.env._(
                    "Time already invoiced cannot be deleted: %(entries)s.",
                    entries=", ".join(invoiced._locked_labels()),
                )
            )

    def _locked_labels(self):
        return [
            f"{entry.ticket_id.number} {entry.date} ({entry.hours:g} h)"
            for entry in self
        ]
