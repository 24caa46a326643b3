from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class TicketDocumentMixin(models.AbstractModel):
    """A business document tickets can be linked to (invoice, sale order): a
    Tickets smart button and a Create Ticket button. The inheriting model
    defines ``ticket_ids`` on the relation table it shares with the ticket's
    field named by ``_ticket_document_field``."""

    _name = "ticket.document.mixin"
    _description = "Document Linked to Tickets"
    _ticket_document_field = None
    # the report whose PDF an agent attaches to a reply (ticket.reply.document.mixin)
    _ticket_report_ref = None

    ticket_count = fields.Integer(compute="_compute_ticket_count")

    @api.depends("ticket_ids")
    def _compute_ticket_count(self):
        for document in self:
            document.ticket_count = len(document.ticket_ids)

    def _ticket_document_context(self):
        return {
            "default_partner_id": self.partner_id.id,
            f"default_{self._ticket_document_field}": [Command.set(self.ids)],
            "default_company_id": self.company_id.id,
        }

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ticket_system.ticket_ticket_action"
        )
        action["domain"] = [(self._ticket_document_field, "in", self.ids)]
        action["context"] = self._ticket_document_context()
        return action

    def action_create_ticket(self):
        """Open a new ticket for this document's customer, linked to it."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Ticket"),
            "res_model": "ticket.ticket",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                **self._ticket_document_context(),
                "default_name": self.env._(
                    "Regarding %(document)s", document=self.name
                ),
            },
        }

    def action_ticket_link(self):
        """Link these documents to the ticket they were chosen from (the
        customer panel of the ticket form, context ``ticket_link_ticket_id``)."""
        ticket = (
            self.env["ticket.ticket"]
            .browse(self.env.context.get("ticket_link_ticket_id"))
            .exists()
        )
        if not ticket:
            raise UserError(self.env._("Open the ticket to link documents to it."))
        ticket.check_access("write")
        ticket.write(
            {self._ticket_document_field: [Command.link(doc.id) for doc in self]}
        )
        return {"type": "ir.actions.act_window_close"}

    def action_ticket_reply_pdf(self):
        """Reply from the ticket with this document's PDF attached (a button
        in the ticket's linked documents, context ``ticket_reply_ticket_id``)."""
        self.ensure_one()
        ticket = (
            self.env["ticket.ticket"]
            .browse(self.env.context.get("ticket_reply_ticket_id"))
            .exists()
        )
        if not ticket:
            raise UserError(self.env._("Open the ticket to reply from it."))
        return ticket._action_reply_with_documents(self)
