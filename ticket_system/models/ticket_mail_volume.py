import hashlib
import logging

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# system parameters (0 = no cap) and their defaults
PARAM_SENDER = "ticket_system.autoresponder_limit_per_hour"
PARAM_TOTAL = "ticket_system.autoresponder_limit_per_hour_total"
PARAM_FORM_TOTAL = "ticket_system.contact_form_limit_per_hour"
PARAM_FORM_EMAIL = "ticket_system.contact_form_limit_per_email"
PARAM_FORM_IP = "ticket_system.contact_form_limit_per_ip"
PARAM_IP_HOURS = "ticket_system.contact_form_ip_retention_hours"
DEFAULTS = {
    PARAM_SENDER: 5,
    PARAM_TOTAL: 200,
    PARAM_FORM_TOTAL: 100,
    PARAM_FORM_EMAIL: 5,
    PARAM_FORM_IP: 5,
    PARAM_IP_HOURS: 24,
}
# channels whose tickets are confirmed to the sender: mail and the contact form
CONFIRMED_CHANNELS = ("email", "web", "portal")
FORM_CHANNELS = ("web", "portal")
# advisory lock namespace ("form") for the contact form, keyed by a hash of
# the submitter's address or IP: two submissions of one address or IP take
# turns between their rate-limit check and their commit
FORM_LOCK_NAMESPACE = 0x666F726D


class TicketMailVolumeMixin(models.AbstractModel):
    """No mailer at volume. A forger who sends mail with thousands of
    different (forged) sender addresses, or fills in the contact form with
    many addresses from many IPs, must not make the database mail
    confirmations at volume:

    * at most N confirmations an hour to one address (ping-pong with another
      robot) and at most M an hour in all (the cap); above it the ticket is
      still opened, its confirmation is suppressed, noted on the ticket,
      counted for the mail health view and logged;
    * at most K contact-form submissions an hour in all, besides the limits
      per address and per IP; above it nothing is stored;
    * the IP of a contact form submission is kept only as long as the rate
      limit needs it (a few hours), then erased.

    Cost per incoming mail: one query (both counts at once, each an index
    range scan stopping after the limit) and, when a confirmation leaves,
    ``autoresponse_date`` is written with the ticket's other changes."""

    _name = "ticket.mail.volume.mixin"
    _description = "Ticket Mail Volume Limits"

    autoresponse_date = fields.Datetime(
        string="Confirmation Sent On",
        readonly=True,
        copy=False,
        # the hourly cap counts the confirmations of the last hour
        index="btree_not_null",
        groups="base.group_user",
    )
    autoresponse_suppressed = fields.Selection(
        [
            ("sender", "Too many from this address"),
            ("volume", "Hourly cap of all confirmations"),
        ],
        string="Confirmation Suppressed",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="base.group_user",
        help="Why the sender got no confirmation of this ticket: a mail loop "
        "with another system's autoresponder, or more confirmations within "
        "the hour than the database sends at most.",
    )

    def init(self):
        super().init()
        if self._abstract:
            return
        # the limits per address count the address's tickets of the last
        # hour: a range scan, also for an address with thousands of tickets
        # (the trigram index of partner_email would fetch all of them)
        tools.create_index(
            self.env.cr,
            "ticket_ticket_partner_email_recent_index",
            self._table,
            ["partner_email", "create_date"],
        )
        # the contact form's cap counts the form tickets of the last hour
        # from the index of create_date (ticket.dashboard.mixin)

    # ------------------------------------------------------------
    # SETTINGS
    # ------------------------------------------------------------

    @api.model
    def _mail_volume_param(self, key, default=None):
        """A limit from the system parameters (0: none; ``default``, else
        the one in DEFAULTS, when unset or not a number)."""
        if default is None:
            default = DEFAULTS[key]
        # sudo: system parameters are configuration, read for every sender
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return max(int(value), 0) if value not in (None, False, "") else default
        except ValueError:
            _logger.warning("System parameter %s is not a number: %r", key, value)
            return default

    # ------------------------------------------------------------
    # CONFIRMATIONS
    # ------------------------------------------------------------

    @api.model
    def _autoresponse_limit_reached(self, email):
        """The one gate of confirmations. ``False`` when a confirmation to
        ``email`` may leave now (and it is counted for this ticket), else why
        not: ``"sender"`` (this address had its N this hour) or ``"volume"``
        (the database sent its M this hour). One query for both counts."""
        per_sender = self._mail_volume_param(PARAM_SENDER)
        total = self._mail_volume_param(PARAM_TOTAL)
        since = fields.Datetime.subtract(fields.Datetime.now(), hours=1)
        Ticket = self.env["ticket.ticket"]
        Ticket.flush_model(
            ["partner_email", "channel", "create_date", "autoresponse_date"]
        )
        # both: index range scans that stop after the limit; the current
        # ticket counts for its sender (it is created already), not yet for
        # the total (it has no confirmation yet)
        self.env.cr.execute(
            SQL(
                """
                SELECT (SELECT count(*) FROM (
                            SELECT 1 FROM %(table)s
                             WHERE partner_email = %(email)s
                               AND channel IN %(channels)s
                               AND create_date >= %(since)s
                             LIMIT %(sender_limit)s) AS sender),
                       (SELECT count(*) FROM (
                            SELECT 1 FROM %(table)s
                             WHERE autoresponse_date >= %(since)s
                             LIMIT %(total_limit)s) AS total)
                """,
                table=SQL.identifier(Ticket._table),
                email=email,
                channels=CONFIRMED_CHANNELS,
                since=since,
                sender_limit=per_sender + 1 if per_sender else 0,
                total_limit=total if total else 0,
            )
        )
        by_sender, in_all = self.env.cr.fetchone()
        if per_sender and by_sender > per_sender:
            return "sender"
        if total and in_all >= total:
            return "volume"
        if self:
            self.autoresponse_date = self.env.cr.now()
        return False

    def _autoresponse_note_suppressed(self, reason, email):
        """Tell the agents on the ticket that its sender got no confirmation,
        and why; managers find these tickets by the field."""
        self.ensure_one()
        self.autoresponse_suppressed = reason
        if reason == "volume":
            text = self.env._(
                "No confirmation was sent to %(email)s: %(count)s confirmations were "
                "sent within the last hour already (the hourly cap "
                "against mass mail with forged senders). The ticket was opened "
                "as usual.",
                email=email,
                count=self._mail_volume_param(PARAM_TOTAL),
            )
        else:
            text = self.env._(
                "No confirmation was sent to %(email)s: this address received "
                "%(count)s confirmations within the last hour already (a mail "
                "loop with another system's autoresponder?).",
                email=email,
                count=self._mail_volume_param(PARAM_SENDER),
            )
        self._message_log(body=Markup("<p>%s</p>") % text)

    # ------------------------------------------------------------
    # CONTACT FORM
    # ------------------------------------------------------------

    @api.model
    def _contact_form_limit_reached(self, email, ip):
        """Whether a contact-form submission from ``email`` and ``ip`` must be
        refused: the address or the IP sent its allowed number within the
        last hour, or all visitors together did (the cap). False otherwise.

        Two submissions at once must not both pass: an advisory lock per
        address and per IP, held until the transaction ends, makes them take
        turns, and the counts are read in a fresh transaction, which sees
        what the other one committed (this transaction's snapshot may be
        older). Submissions of different addresses and IPs do not wait for
        each other: the cap can be passed by at most the number of workers."""
        limits = {
            "email": (email, self._mail_volume_param(PARAM_FORM_EMAIL)),
            "ip": (ip, self._mail_volume_param(PARAM_FORM_IP)),
        }
        total = self._mail_volume_param(PARAM_FORM_TOTAL)
        keys = sorted(
            self._contact_form_lock_key(kind, value)
            for kind, (value, limit) in limits.items()
            if value and limit
        )
        # in one order: two submissions never wait for each other in a circle
        for key in keys:
            self.env.cr.execute(
                SQL("SELECT pg_advisory_xact_lock(%s, %s)", FORM_LOCK_NAMESPACE, key)
            )
        since = fields.Datetime.subtract(fields.Datetime.now(), hours=1)
        self.env["ticket.ticket"].flush_model(
            ["partner_email", "channel", "submitter_ip", "create_date"]
        )
        with self.env.registry.cursor() as cr:
            cr.execute(self._contact_form_count_query(limits, total, since))
            by_email, by_ip, in_all = cr.fetchone()
        if by_email >= limits["email"][1] > 0 or by_ip >= limits["ip"][1] > 0:
            _logger.info("Contact form: rate limit reached for %s / %s", email, ip)
            return "sender"
        if total and in_all >= total:
            _logger.warning(
                "Contact form: %s submissions within the last hour, the cap "
                "(%s): refused the one from %s / %s, nothing stored",
                in_all,
                PARAM_FORM_TOTAL,
                email,
                ip,
            )
            return "volume"
        return False

    @api.model
    def _contact_form_count_query(self, limits, total, since):
        """The recent form tickets of an address, of an IP and in all; each
        an index range scan that stops after its limit."""
        table = SQL.identifier(self.env["ticket.ticket"]._table)

        def count(condition, limit):
            if not limit:
                return SQL("0")
            return SQL(
                """(SELECT count(*) FROM (
                        SELECT 1 FROM %s
                         WHERE channel IN %s AND create_date >= %s AND %s
                         LIMIT %s) AS recent)""",
                table,
                FORM_CHANNELS,
                since,
                condition,
                limit,
            )

        email, email_limit = limits["email"]
        ip, ip_limit = limits["ip"]
        return SQL(
            "SELECT %s, %s, %s",
            count(SQL("partner_email = %s", email), email and email_limit),
            count(SQL("submitter_ip = %s", ip), ip and ip_limit),
            count(SQL("TRUE"), total),
        )

    @api.model
    def _contact_form_lock_key(self, kind, value):
        digest = hashlib.sha256(f"{kind}:{value}".encode()).digest()
        return int.from_bytes(digest[:4], "big", signed=True)

    @api.model
    def _cron_forget_submitter_ip(self):
        """Erase the contact form's IPs older than the retention (system
        parameter ticket_system.contact_form_ip_retention_hours, at least
        one hour: the rate limit looks one hour back). Only the IP is
        erased; the ticket stays."""
        hours = max(self._mail_volume_param(PARAM_IP_HOURS), 1)
        before = fields.Datetime.subtract(fields.Datetime.now(), hours=hours)
        Ticket = self.env["ticket.ticket"]
        Ticket.flush_model(["submitter_ip"])
        # one statement over the partial index of the IPs still kept; no
        # write(): erasing a technical trace is no change of the ticket
        self.env.cr.execute(
            SQL(
                """UPDATE %s SET submitter_ip = NULL
                    WHERE submitter_ip IS NOT NULL AND create_date < %s""",
                SQL.identifier(Ticket._table),
                before,
            )
        )
        erased = self.env.cr.rowcount
        Ticket.invalidate_model(["submitter_ip"])
        if erased:
            _logger.info("Contact form: erased the IP of %s tickets", erased)
        return erased
