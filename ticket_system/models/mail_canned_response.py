from odoo import fields, models


class MailCannedResponse(models.Model):
    """Odoo's canned responses are the ticket desk's text blocks
    (Textbausteine): personal unless shared with groups (``group_ids``),
    sorted into folders and offered only in the tickets of their queues."""

    _inherit = "mail.canned.response"

    folder_id = fields.Many2one(
        "ticket.text.block.folder",
        string="Folder",
        index="btree_not_null",
        ondelete="set null",
    )
    ticket_queue_ids = fields.Many2many(
        "ticket.queue",
        "mail_canned_response_ticket_queue_rel",
        "canned_response_id",
        "queue_id",
        string="Queues",
        help="Offered only in the tickets of these queues (and nowhere else). "
        "Empty: offered everywhere.",
    )

    def _to_store(self, store, /, *, fields=None):
        if fields is None:
            # the composer hides blocks of other queues when ":" is typed
            fields = ["source", "substitution", "ticket_queue_ids"]
        return super()._to_store(store, fields=fields)

    def _ticket_text_block_values(self):
        """What the "Text blocks" list of the ticket composer shows."""
        return [
            {
                "id": block.id,
                "source": block.source,
                "substitution": block.substitution,
                "description": block.description or "",
                "folder_id": block.folder_id.id,
                "folder_name": block.folder_id.complete_name or "",
                "folder_sequence": block.folder_id.sequence,
                "is_shared": block.is_shared,
            }
            for block in self
        ]
