from odoo import Command, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval


class TicketReplyDocumentMixin(models.AbstractModel):
    """Catura: answer with the document attached. The PDF of a linked
    invoice, credit note or order (Odoo's own report of it) is attached to
    Odoo's mail composer, addressed to the ticket's customer.

    Agents need write access to the ticket only: the PDF of a document linked
    to that ticket is rendered as superuser, never of any other document."""

    _name = "ticket.reply.document.mixin"
    _description = "Ticket Reply with Documents"

    def action_reply_with_documents(self):
        """The composer with the PDFs of all documents linked to the ticket
        (the agent removes what is not wanted)."""
        self.ensure_one()
        self.check_access("write")
        # sudo: the agent may not read the documents; they are this ticket's
        documents = [
            doc for name in self._ticket_link_fields() for doc in self.sudo()[name]
        ]
        if not documents:
            raise UserError(self.env._("No invoice or order is linked to this ticket."))
        return self._action_reply_with_documents(documents)

    def _action_reply_with_documents(self, documents):
        """Odoo's full composer replying to the customer, with the PDF of each
        of ``documents`` (records linked to this ticket) attached."""
        self.ensure_one()
        self.check_access("write")
        attachments = self._reply_document_attachments(documents)
        partner = self.partner_id
        if not partner and self.partner_email:
            partner = self._mail_find_partner_from_emails(
                [self.partner_email], records=self, force_create=True
            )[0]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reply with Documents"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_composition_mode": "comment",
                "default_message_type": "comment",
                "default_subtype_id": self.env["ir.model.data"]._xmlid_to_res_id(
                    "mail.mt_comment"
                ),
                "default_subject": self._ticket_subject(self.name),
                "default_partner_ids": partner.ids,
                "default_attachment_ids": [Command.set(attachments.ids)],
            },
        }

    def _reply_document_attachments(self, documents):
        """One PDF attachment per document, pending in the composer (moved to
        the ticket when the mail is sent, as an uploaded file is)."""
        self.ensure_one()
        values = []
        for document in documents:
            # sudo: documents linked to this ticket only, whatever the
            # agent's accounting or sales rights
            if not self._reply_document_allowed(document.sudo()):
                raise UserError(
                    self.env._(
                        "%(document)s is not linked to ticket %(number)s.",
                        document=document.sudo().display_name,
                        number=self.number,
                    )
                )
            values.append(self._reply_document_pdf(document.sudo()))
        return self.env["ir.attachment"].create(
            [
                {
                    "name": name,
                    "raw": content,
                    "mimetype": "application/pdf",
                    "res_model": "mail.compose.message",
                    "res_id": 0,
                }
                for name, content in values
            ]
        )

    def _reply_document_allowed(self, document):
        """May the PDF of ``document`` (as superuser) go out from this
        ticket: it is linked to it (bridges add documents reached through a
        linked one, e.g. the delivery slips of a linked order)."""
        self.ensure_one()
        return any(
            document in self.sudo()[name]
            for name in self._ticket_link_fields()
            if self._fields[name].comodel_name == document._name
        )

    def _reply_document_pdf(self, document):
        """(file name, PDF bytes) of ``document`` (as superuser) by the report
        its model names (``_ticket_report_ref``)."""
        report = self.env.ref(document._ticket_report_ref).sudo()
        # always a real PDF, also when tests run (Odoo would give HTML)
        content, _type = (
            self.env["ir.actions.report"]
            .sudo()
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, document.ids)
        )
        name = document.name
        if report.print_report_name:
            name = safe_eval(report.print_report_name, {"object": document})
        # INV/2026/00042 -> INV_2026_00042.pdf, as Odoo names a sent invoice
        return f"{name.replace('/', '_')}.pdf", content
