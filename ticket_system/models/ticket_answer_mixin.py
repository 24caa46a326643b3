import html
import re

from odoo import api, models
from odoo.exceptions import UserError

# block ends become blank lines, line breaks stay line breaks
_BLOCK_END = re.compile(r"</(p|div|h[1-6]|ul|ol|table|blockquote)\s*>", re.IGNORECASE)
_LINE_END = re.compile(r"<br\s*/?>|</(li|tr)\s*>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li(\s[^>]*)?>", re.IGNORECASE)
_LINK = re.compile(
    r"<a\s[^>]*?href=([\"'])(.*?)\1[^>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"<[^>]+>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


class TicketAnswerMixin(models.AbstractModel):
    """Answer templates and text blocks for the reply box of a ticket: which
    ones the composer offers for this ticket (its queue and type first), and
    a template rendered in the customer's language, ready to be inserted.

    ``@Name@`` placeholders stay as written: they are filled when the answer
    is sent (``ticket.placeholder.mixin``)."""

    _name = "ticket.answer.mixin"
    _description = "Ticket Answer Templates and Text Blocks"

    # ------------------------------------------------------------
    # ANSWER TEMPLATES
    # ------------------------------------------------------------

    def _answer_templates(self):
        """The answer templates offered in this ticket, best first: those of
        its queue, of its type, then the general ones (neither queue nor
        type). Templates of other queues or types, and the mails the desk
        sends by itself (autoresponders, status mails), are not offered.

        :return: list of (template, scope) with scope ``queue``, ``type`` or
          ``general``
        """
        self.ensure_one()
        templates = self.env["mail.template"].search(
            [("model", "=", self._name)], order="name, id"
        )
        # sudo: which templates the desk sends by itself is configuration the
        # agent cannot read (queues of others, statuses): only ids are used
        automatic = (
            self.env["ticket.queue"]
            .sudo()
            .with_context(active_test=False)
            .search([("autoresponder_template_id", "!=", False)])
            .autoresponder_template_id
            | self.env["ticket.stage"]
            .sudo()
            .with_context(active_test=False)
            .search([("template_id", "!=", False)])
            .template_id
        )
        by_scope = {"queue": [], "type": [], "general": []}
        for template in templates:
            if self.queue_id and self.queue_id in template.ticket_queue_ids:
                by_scope["queue"].append(template)
            elif self.type_id and self.type_id in template.ticket_type_ids:
                by_scope["type"].append(template)
            elif (
                not template.ticket_queue_ids
                and not template.ticket_type_ids
                and template.id not in automatic.ids
            ):
                by_scope["general"].append(template)
        return [
            (template, scope)
            for scope in ("queue", "type", "general")
            for template in by_scope[scope]
        ]

    def answer_template_list(self):
        """The answer templates of the reply box (called by the composer)."""
        self.ensure_one()
        self.check_access("read")
        labels = {
            "queue": self.env._("Queue %(queue)s", queue=self.queue_id.name),
            "type": self.env._("Type %(type)s", type=self.type_id.name),
            "general": self.env._("All tickets"),
        }
        return [
            {
                "id": template.id,
                "name": template.name or "",
                "description": template.description or "",
                "scope": scope,
                "scope_label": labels[scope],
            }
            for template, scope in self._answer_templates()
        ]

    def answer_template_render(self, template_id):
        """A template rendered for this ticket in the customer's language.

        :return: ``{"subject", "body_html", "body", "lang"}``; ``body`` is
          the plain text the reply box takes.
        """
        self.ensure_one()
        self.check_access("read")
        template = self.env["mail.template"].browse(template_id).exists()
        if not template or template.model != self._name:
            raise UserError(self.env._("This template is not a ticket template."))
        template.check_access("read")
        lang = self._answer_lang()
        body_html = template._render_field("body_html", self.ids, set_lang=lang)[
            self.id
        ]
        subject = template._render_field("subject", self.ids, set_lang=lang)[self.id]
        return {
            "subject": subject or "",
            "body_html": str(body_html or ""),
            "body": self._answer_plaintext(body_html),
            "lang": lang,
        }

    def _answer_lang(self):
        """The customer's language, if it is active (else the user's)."""
        lang = self.customer_lang
        if lang and lang in dict(self.env["res.lang"].get_installed()):
            return lang
        return self.env.lang or "en_US"

    @api.model
    def _answer_plaintext(self, body_html):
        """The text of an HTML body as the reply box shows it: paragraphs
        apart by a blank line, links with their address."""
        text = _COMMENT.sub("", str(body_html or ""))
        text = re.sub(r"\s+", " ", text)

        def link(match):
            url, label = match.group(2), _TAG.sub("", match.group(3)).strip()
            if not label or label == url or url.startswith("mailto:"):
                return label or url
            return f"{label} ({url})"

        text = _LINK.sub(link, text)
        text = _LIST_ITEM.sub("- ", text)
        text = _BLOCK_END.sub("\n\n", text)
        text = _LINE_END.sub("\n", text)
        text = html.unescape(_TAG.sub("", text))
        lines = [line.strip() for line in text.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

    # ------------------------------------------------------------
    # TEXT BLOCKS
    # ------------------------------------------------------------

    def _text_blocks(self):
        """The text blocks the current user may insert in this ticket: their
        own and the ones shared with their groups, of all queues or of this
        ticket's queue."""
        self.ensure_one()
        user = self.env.user
        # as the composer's ":" does: also an administrator (who may read all)
        # is offered only their own and the shared ones
        domain = [
            "|",
            ("create_uid", "=", user.id),
            ("group_ids", "in", user.groups_id.ids),
        ]
        if self.queue_id:
            domain += [
                "|",
                ("ticket_queue_ids", "=", False),
                ("ticket_queue_ids", "in", self.queue_id.ids),
            ]
        else:
            domain += [("ticket_queue_ids", "=", False)]
        blocks = self.env["mail.canned.response"].search(domain)
        return blocks.sorted(
            lambda b: (
                not b.folder_id,
                b.folder_id.sequence,
                b.folder_id.complete_name or "",
                (b.source or "").lower(),
                b.id,
            )
        )

    def text_block_list(self):
        """The text blocks of the reply box (called by the composer)."""
        self.ensure_one()
        self.check_access("read")
        return self._text_blocks()._ticket_text_block_values()
