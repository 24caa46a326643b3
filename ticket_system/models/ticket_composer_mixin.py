import re

from lxml import html as lxml_html

from odoo import api, models, tools
from odoo.exceptions import AccessError
from odoo.tools.mail import email_split_and_format

# M-Ticket's words for "something is attached" (any case, also inside longer
# words such as "Anhang:" or "Anlagen"), plus the English ones
ATTACHMENT_KEYWORDS = re.compile(
    r"anh[aä]ng|anlage|angeh[aä]ngt|angehangen|screenshot|anbei"
    r"|attached|attachment|enclosed",
    re.IGNORECASE,
)
# where the agent's own text ends: a signature separator, or the start of a
# quoted earlier mail (">" lines, Outlook/Thunderbird/Gmail headers)
OWN_TEXT_END = re.compile(
    r"^\s*(?:"
    r"--\s*$"
    r"|>"
    r"|-{2,}\s*(?:original message|ursprüngliche nachricht|weitergeleitete nachricht)"
    r"|(?:am|on)\s.+(?:schrieb|wrote)\b.*:\s*$"
    r"|(?:von|from):\s.+$\n^\s*(?:gesendet|sent|datum|date):"
    r")",
    re.IGNORECASE | re.MULTILINE,
)


class TicketComposerMixin(models.AbstractModel):
    """The ticket chatter's two actions, M-Ticket's "Antworten" and
    "Kommentieren": who a reply goes to (read from the server's own rules,
    shown before sending) and the missing-attachment check of a reply."""

    _name = "ticket.composer.mixin"
    _description = "Ticket Reply and Comment"

    # ---- REPLY RECIPIENTS ----

    def _reply_recipient_emails(self):
        """The addresses an agent's answer is mailed to besides the customer
        contact: the sender's address (when no contact is set) and the CC
        addresses, without the desk's own addresses."""
        self.ensure_one()
        emails = []
        if self.partner_email and not self.partner_id:
            emails.append(
                tools.formataddr((self.partner_name, self.partner_email))
                if self.partner_name
                else self.partner_email
            )
        emails += email_split_and_format(self.email_cc or "")
        own = self._own_addresses(tools.email_normalize_all(",".join(emails)))
        return [email for email in emails if tools.email_normalize(email) not in own]

    def ticket_reply_recipients(self):
        """Who receives a reply posted now, as ``message_post`` and the
        notification rules will send it: a list of ``{name, email, kind}``
        (``kind``: ``customer``, ``cc`` or ``follower``) for every address that
        gets the mail, plus the number of colleagues notified in Odoo only.
        Nothing is created: addresses without a contact are listed as such."""
        self.ensure_one()
        if not self.env.user._is_internal():
            # the addresses of CC and followers are the desk's business
            raise AccessError(self.env._("Only agents see who a reply goes to."))
        self.check_access("read")
        emails = self._reply_recipient_emails()
        partners = self._mail_find_partner_from_emails(emails, records=self)
        Partner = self.env["res.partner"]
        known = self.partner_id | Partner.union(*[p for p in partners if p])
        data = self._notify_get_recipients(
            self.env["mail.message"],
            {
                "partner_ids": known.ids,
                "message_type": "comment",
                "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id(
                    "mail.mt_comment"
                ),
                "author_id": self.env.user.partner_id.id,
            },
        )
        by_email = [r["id"] for r in data if r.get("notif") == "email"]
        customer_emails = {
            tools.email_normalize(self.partner_email or ""),
            self.partner_id.email_normalized,
        } - {False, None}
        cc_emails = set(tools.email_normalize_all(self.email_cc or ""))
        recipients = []
        seen = set()

        def add(name, email):
            normalized = tools.email_normalize(email or "")
            if not normalized or normalized in seen:
                return
            seen.add(normalized)
            if normalized in customer_emails:
                kind = "customer"
            elif normalized in cc_emails:
                kind = "cc"
            else:
                kind = "follower"
            recipients.append({"name": name or "", "email": normalized, "kind": kind})

        # sudo: the names and addresses of the recipients the server mails,
        # whether or not the agent may open their contacts
        for partner in Partner.browse(by_email).sudo():
            add(partner.name, partner.email)
        for email, partner in zip(emails, partners, strict=True):
            if not partner:
                # created by message_post when the reply is sent
                name, address = tools.parse_contact_from_email(email)
                add(name, address)
        order = {"customer": 0, "cc": 1, "follower": 2}
        recipients.sort(key=lambda r: order[r["kind"]])
        return {
            "recipients": recipients,
            "inbox_count": sum(1 for r in data if r.get("notif") == "inbox"),
        }

    # ---- MISSING ATTACHMENT ----

    @api.model
    def _reply_own_text(self, body):
        """The text the agent wrote in ``body`` (plain text or HTML): without
        quoted earlier mails and without the signature."""
        if not body:
            return ""
        if re.search(r"<[a-zA-Z][^>]*>", body):
            root = lxml_html.fromstring(f"<div>{body}</div>")
            for node in root.xpath(
                "//blockquote | //*[@data-o-mail-quote] | //*[@data-o-mail-quote-node]"
                " | //*[contains(concat(' ', normalize-space(@class), ' '),"
                " ' o_signature ')]"
            ):
                if node.getparent() is not None:
                    node.drop_tree()
            body = tools.html2plaintext(lxml_html.tostring(root, encoding="unicode"))
        signature = tools.html2plaintext(self.env.user.signature or "").strip()
        if signature and signature in body:
            body = body[: body.rindex(signature)]
        end = OWN_TEXT_END.search(body)
        return body[: end.start()] if end else body

    @api.model
    def ticket_attachment_keyword(self, body):
        """The word in the agent's own text of ``body`` that announces an
        attachment, or ``False`` (also when the user switched the check off)."""
        if not self.env.user.ticket_attachment_warning:
            return False
        found = ATTACHMENT_KEYWORDS.search(self._reply_own_text(body))
        return found.group(0) if found else False
