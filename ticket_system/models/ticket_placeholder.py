import re

from markupsafe import Markup, escape

from odoo import api, models
from odoo.exceptions import UserError

# M-Ticket's placeholders plus four; matched case-sensitively as written
PLACEHOLDER_NAMES = (
    "Anrede",
    "Briefanrede",
    "Vorname",
    "Nachname",
    "Firma1",
    "Firma2",
    "Strasse",
    "HausNr",
    "PLZ",
    "Ort",
    "Ticketnummer",
    "Kundennummer",
    "Bearbeiter",
)
# only the known names: e-mail addresses and other @words are never touched
PLACEHOLDER_RE = re.compile("@({})@".format("|".join(PLACEHOLDER_NAMES)))

# "Musterstraße 12a", "Hauptstr. 5-7", "Straße des 17. Juni 112", "Am Markt 3 b"
STREET_NUMBER_LAST = re.compile(
    r"^(?P<street>.*?[^\d\s,])[\s,]+"
    r"(?P<number>\d+\s?[a-zA-Z]?(?:\s?[-/]\s?\d+\s?[a-zA-Z]?)?)$"
)
# "12 Main Street", "12a, Church Lane"
STREET_NUMBER_FIRST = re.compile(
    r"^(?P<number>\d+[a-zA-Z]?(?:[-/]\d+[a-zA-Z]?)?),?\s+(?P<street>\D.*)$"
)
# name particles that belong to the last name: "Johann von Goethe"
NAME_PARTICLES = {
    "von",
    "vom",
    "van",
    "de",
    "der",
    "den",
    "zu",
    "zum",
    "di",
    "da",
    "du",
}

MALE_TITLES = {"herr", "hr.", "hr", "mr", "mr.", "mister", "sir"}
FEMALE_TITLES = {"frau", "fr.", "fr", "mrs", "mrs.", "ms", "ms.", "madam", "miss"}


class TicketPlaceholderMixin(models.AbstractModel):
    """Fills ``@Name@`` placeholders of replies, templates and text blocks
    with the data of the ticket's customer when a message is sent.

    The inheriting model provides ``partner_id`` (the customer), ``number``,
    ``user_id`` (the agent), ``company_id`` and ``customer_lang``."""

    _name = "ticket.placeholder.mixin"
    _description = "Ticket Placeholders"

    # ------------------------------------------------------------
    # VALUES
    # ------------------------------------------------------------

    def _placeholder_values(self, user=None):
        """The value of each placeholder for this ticket, sent by ``user``
        (default: the current user if an agent; an empty recordset means no
        agent is sending, e.g. the autoresponder).

        :return: ``{name: (value, reason)}``; ``value`` is a string, empty
          when the placeholder cannot be filled, and ``reason`` then says why
          in the current user's language.
        """
        self.ensure_one()
        partner = self.partner_id
        lang = self._placeholder_lang()
        if user is None:
            user = self.env.user
        if not user or user.share or user == self.env.ref("base.user_root"):
            user = self.user_id
        no_customer = self.env._("the ticket has no customer")
        is_company = partner.is_company
        first, last = (
            ("", "") if is_company else self._placeholder_split_name(partner.name)
        )
        gender, title = self._placeholder_title(partner, lang)
        street, house_number = self._placeholder_split_street(partner)
        company1, company2 = self._placeholder_companies(partner)
        number = self.number if self.number and self.number != "/" else ""
        values = {
            "Anrede": (title, self.env._("the customer has no title (Mr/Ms)")),
            "Briefanrede": (
                self._placeholder_letter_salutation(gender, title, last, lang),
                "",
            ),
            "Vorname": (
                first,
                self.env._("the customer is a company, not a person")
                if is_company
                else self.env._("the customer has no first name"),
            ),
            "Nachname": (
                last,
                self.env._("the customer is a company, not a person")
                if is_company
                else self.env._("the customer has no last name"),
            ),
            "Firma1": (company1, self.env._("the customer has no company")),
            "Firma2": (company2, self.env._("the customer has no second company line")),
            "Strasse": (street, self.env._("the customer has no street")),
            "HausNr": (
                house_number,
                self.env._("the customer's street has no house number")
                if partner.street
                else self.env._("the customer has no street"),
            ),
            "PLZ": (partner.zip or "", self.env._("the customer has no ZIP code")),
            "Ort": (partner.city or "", self.env._("the customer has no city")),
            "Ticketnummer": (number, self.env._("the ticket has no number yet")),
            "Kundennummer": (
                partner.commercial_partner_id.ref or partner.ref or "",
                self.env._("the customer has no customer number"),
            ),
            "Bearbeiter": (user.name or "", self.env._("the ticket has no agent")),
        }
        if not partner:
            for name in values:
                if name not in ("Briefanrede", "Ticketnummer", "Bearbeiter"):
                    values[name] = ("", no_customer)
        return values

    def _placeholder_lang(self):
        """The customer's language: Anrede and Briefanrede are written in it."""
        return self.customer_lang or self.env.lang or "en_US"

    @api.model
    def _placeholder_split_name(self, name):
        """(first name, last name) of a person's name: the last word is the
        last name, with particles such as "von"; "Meier, Anna" is understood;
        "Dr." and the like are dropped."""
        name = " ".join((name or "").split())
        if "," in name:
            last, __, first = name.partition(",")
            return first.strip(), last.strip()
        words = name.split(" ") if name else []
        while len(words) > 1 and words[0].endswith("."):
            words = words[1:]
        if len(words) <= 1:
            return "", "".join(words)
        split = len(words) - 1
        for index in range(1, len(words) - 1):
            if words[index] in NAME_PARTICLES:
                split = index
                break
        return " ".join(words[:split]), " ".join(words[split:])

    def _placeholder_title(self, partner, lang):
        """('male'|'female'|False, the title as written to the customer)."""
        title = partner.title
        if not title:
            return False, ""
        xmlids = self.env["ir.model.data"]._xmlid_to_res_id
        tenv = self.with_context(lang=lang).env
        keys = {
            (title.name or "").strip().lower(),
            (title.shortcut or "").strip().lower(),
        }
        if title.id == xmlids(
            "base.res_partner_title_mister", raise_if_not_found=False
        ) or (keys & MALE_TITLES):
            return "male", tenv._("Mr")
        if title.id in (
            xmlids("base.res_partner_title_madam", raise_if_not_found=False),
            xmlids("base.res_partner_title_miss", raise_if_not_found=False),
        ) or (keys & FEMALE_TITLES):
            return "female", tenv._("Ms")
        title = title.with_context(lang=lang)
        return False, title.shortcut or title.name or ""

    def _placeholder_letter_salutation(self, gender, title, last_name, lang):
        """The opening line of a letter in the customer's language; the
        neutral form when the person or their gender is not known."""
        tenv = self.with_context(lang=lang).env
        if last_name and gender == "male":
            return tenv._("Dear Mr %(name)s,", name=last_name)
        if last_name and gender == "female":
            return tenv._("Dear Ms %(name)s,", name=last_name)
        if last_name and title:
            return tenv._("Dear %(title)s %(name)s,", title=title, name=last_name)
        return tenv._("Dear Sir or Madam,")

    @api.model
    def _placeholder_split_street(self, partner):
        """(street, house number) of the customer's street."""
        if partner._fields.get("street_number") and partner.street_number:
            # base_address_extended keeps them apart already
            return partner.street_name or "", partner.street_number
        street = " ".join((partner.street or "").split())
        for pattern in (STREET_NUMBER_LAST, STREET_NUMBER_FIRST):
            match = pattern.match(street)
            if match:
                return match.group("street"), match.group("number")
        return street, ""

    @api.model
    def _placeholder_companies(self, partner):
        """(company, second company line): the customer's company, and the
        department or subsidiary the contact belongs to, or the company name
        written on the contact, when it differs."""
        company1 = partner.commercial_company_name or ""
        company2 = ""
        parent = partner.parent_id
        if (
            parent
            and parent != partner.commercial_partner_id
            and parent.is_company
            and parent.name != company1
        ):
            company2 = parent.name
        elif partner.company_name and partner.company_name != company1:
            company2 = partner.company_name
        if not company1 and company2:
            company1, company2 = company2, ""
        return company1, company2 or ""

    # ------------------------------------------------------------
    # FILLING
    # ------------------------------------------------------------

    def _placeholder_fill(self, text, user=None, keep_unfilled=False):
        """Fill the placeholders of ``text``: HTML (``Markup``, values are
        escaped) or plain text such as a subject.

        :param bool keep_unfilled: leave placeholders that cannot be filled as
          written instead of removing them;
        :return: (filled text, ``{name: reason}`` of the placeholders that
          could not be filled)
        """
        self.ensure_one()
        if not text or not PLACEHOLDER_RE.search(text):
            return text, {}
        values = self._placeholder_values(user=user)
        is_html = isinstance(text, Markup)
        unfilled = {}

        def replace(match):
            value, reason = values[match.group(1)]
            if value:
                return str(escape(value)) if is_html else value
            unfilled[match.group(1)] = reason
            return match.group(0) if keep_unfilled else ""

        filled = PLACEHOLDER_RE.sub(replace, str(text))
        return (Markup(filled) if is_html else filled), unfilled

    def _placeholder_fill_post(self, post_values, strict=True):
        """Fill body and subject of ``message_post`` values.

        :param bool strict: an agent is sending: placeholders that cannot be
          filled raise a ``UserError`` and nothing is sent. Otherwise (an
          automatic mail) they are left empty.
        :return: ``{name: reason}`` of the placeholders left empty
        """
        self.ensure_one()
        unfilled = {}
        for key in ("body", "subject"):
            text = post_values.get(key)
            if not text:
                continue
            if key == "body" and post_values.get("body_is_html"):
                text = Markup(text)
            text, missing = self._placeholder_fill(text)
            post_values[key] = text
            unfilled.update(missing)
        if unfilled and strict:
            raise UserError(
                self.env._(
                    "The message was not sent. These placeholders cannot be "
                    "filled for ticket %(number)s:\n%(placeholders)s\n"
                    "Complete the customer's data or remove the placeholders.",
                    number=self.number,
                    placeholders="\n".join(
                        f"@{name}@: {reason}" for name, reason in unfilled.items()
                    ),
                )
            )
        return unfilled

    def _placeholder_log_unfilled(self, unfilled):
        """Tell the agents which placeholders an automatic mail left empty."""
        if not unfilled:
            return
        self.ensure_one()
        self._message_log(
            body=self.env._(
                "Placeholders left empty in the mail to the customer: %(placeholders)s",
                placeholders="; ".join(
                    f"@{name}@ ({reason})" for name, reason in unfilled.items()
                ),
            )
        )
