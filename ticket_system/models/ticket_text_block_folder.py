from odoo import api, fields, models


class TicketTextBlockFolder(models.Model):
    """A folder of text blocks (Textbausteine): the "Text blocks" list of the
    ticket composer is grouped by it."""

    _name = "ticket.text.block.folder"
    _description = "Text Block Folder"
    _order = "sequence, complete_name, id"
    _parent_store = True
    _rec_name = "complete_name"

    name = fields.Char(required=True)
    complete_name = fields.Char(
        compute="_compute_complete_name", store=True, recursive=True
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    parent_id = fields.Many2one(
        "ticket.text.block.folder",
        string="Parent Folder",
        index=True,
        ondelete="cascade",
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many(
        "ticket.text.block.folder", "parent_id", string="Subfolders"
    )
    text_block_ids = fields.One2many(
        "mail.canned.response", "folder_id", string="Text Blocks"
    )
    text_block_count = fields.Integer(compute="_compute_text_block_count")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for folder in self:
            folder.complete_name = (
                f"{folder.parent_id.complete_name} / {folder.name}"
                if folder.parent_id
                else folder.name
            )

    @api.depends_context("uid")
    def _compute_text_block_count(self):
        # counted as the current user: their own and the shared blocks
        counts = dict(
            self.env["mail.canned.response"]._read_group(
                [("folder_id", "in", self.ids)], ["folder_id"], ["__count"]
            )
        )
        for folder in self:
            folder.text_block_count = counts.get(folder, 0)

    def action_view_text_blocks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ticket_system.mail_canned_response_action_ticket"
        )
        action["domain"] = [("folder_id", "child_of", self.id)]
        action["context"] = {"default_folder_id": self.id}
        return action
