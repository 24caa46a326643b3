from markupsafe import Markup

from odoo import Command, models
from odoo.exceptions import UserError


class TicketBillingMixin(models.AbstractModel):
    """Billing the time spent on billable tickets: one draft customer invoice
    per customer (commercial partner) and company, one line per ticket for
    the hours not invoiced yet, priced with the company's time product."""

    _name = "ticket.billing.mixin"
    _description = "Ticket Time Billing"

    def action_invoice_time(self):
        """Invoice the billable time of these tickets and open the invoices."""
        invoices = self._invoice_time()
        if not invoices:
            raise UserError(self.env._("There is no billable time left to invoice."))
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", invoices.ids)]
        if len(invoices) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = invoices.id
        return action

    def _invoice_time(self):
        """Draft invoices for the not yet invoiced time entries of the billable
        tickets among ``self``, linked to their tickets; entries are marked
        with the line that bills them, so no hour is invoiced twice. Returns
        the invoices (empty when nothing is left to bill)."""
        self.check_access("write")
        # sudo: agents may not read each other's entries' invoice lines; the
        # entries of tickets the user may write are billed as a whole
        entries = (
            self.env["ticket.time.entry"]
            .sudo()
            .search(
                [
                    ("ticket_id", "in", self.filtered("billable").ids),
                    ("invoice_line_id", "=", False),
                ]
            )
        )
        if not entries:
            return self.env["account.move"]
        by_ticket = entries.grouped("ticket_id")
        tickets = self.browse([ticket.id for ticket in by_ticket])
        self._check_billable(tickets)
        invoices = self.env["account.move"]
        for (partner, company), group in tickets.grouped(
            lambda t: (t.partner_id.commercial_partner_id, t.company_id)
        ).items():
            product = company.ticket_time_product_id
            invoice = (
                self.env["account.move"]
                .with_company(company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "name": f"[{ticket.number}] {ticket.name}",
                                    "quantity": sum(by_ticket[ticket].mapped("hours")),
                                }
                            )
                            for ticket in group
                        ],
                    }
                )
            )
            for ticket, line in zip(group, invoice.invoice_line_ids, strict=True):
                by_ticket[ticket].invoice_line_id = line
                ticket.invoice_ids = [Command.link(invoice.id)]
                # not an f-string inside _(): Babel's extractor evaluates the
                # call's string tokens and then skips the whole file
                hours = f"{line.quantity:g}"
                ticket._message_log(
                    body=Markup("<p>%s</p>")
                    % self.env._(
                        "%(hours)s h of time billed in %(invoice)s.",
                        hours=hours,
                        invoice=invoice._get_html_link(title=invoice.display_name),
                    )
                )
            invoices |= invoice
        return invoices

    def _check_billable(self, tickets):
        """Tickets whose time cannot be billed: a clear message, nothing made."""
        no_customer = tickets.filtered(lambda t: not t.partner_id)
        if no_customer:
            raise UserError(
                self.env._(
                    "These tickets have no customer to invoice: %(tickets)s",
                    tickets=", ".join(no_customer.mapped("number")),
                )
            )
        no_product = tickets.company_id.filtered(lambda c: not c.ticket_time_product_id)
        if no_product:
            raise UserError(
                self.env._(
                    "Choose the service product for ticket time in Settings > "
                    "Tickets (company %(company)s).",
                    company=", ".join(no_product.mapped("name")),
                )
            )
