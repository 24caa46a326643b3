from odoo import api, fields, models
from odoo.exceptions import ValidationError

WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class TicketQueueShift(models.Model):
    """A member's time slot in a queue (Catura "Zeitsteuerung"): during it,
    new tickets of a queue assigned by shift go to this member."""

    _name = "ticket.queue.shift"
    _description = "Queue Shift"
    _order = "queue_id, weekday, hour_from, id"

    queue_id = fields.Many2one(
        "ticket.queue", string="Queue", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="queue_id.company_id", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        required=True,
        ondelete="cascade",
        domain="[('id', 'in', member_ids)]",
    )
    member_ids = fields.Many2many(related="queue_id.member_ids")
    weekday = fields.Selection(WEEKDAYS, required=True, default="0")
    hour_from = fields.Float(
        string="From",
        required=True,
        default=8.0,
        help="Start of the shift, in the timezone of the queue's working hours.",
    )
    hour_to = fields.Float(
        string="To",
        required=True,
        default=17.0,
        help="End of the shift (exclusive), in the timezone of the queue's working "
        "hours.",
    )

    @api.constrains("hour_from", "hour_to")
    def _check_hours(self):
        for shift in self:
            if not 0 <= shift.hour_from < shift.hour_to <= 24:
                raise ValidationError(
                    self.env._(
                        "A shift starts before it ends, between 0:00 and 24:00 "
                        "(%(user)s).",
                        user=shift.user_id.name,
                    )
                )

    @api.constrains("user_id", "queue_id")
    def _check_member(self):
        for shift in self:
            if shift.user_id not in shift.queue_id.member_ids:
                raise ValidationError(
                    self.env._(
                        "%(user)s is no member of the queue %(queue)s: add them to "
                        "the members before giving them a shift.",
                        user=shift.user_id.name,
                        queue=shift.queue_id.name,
                    )
                )

    def _covers(self, weekday, hour):
        """The shifts of ``self`` running on ``weekday`` ('0' Monday) at ``hour``
        (float hours, local time)."""
        return self.filtered(
            lambda shift: shift.weekday == weekday
            and shift.hour_from <= hour < shift.hour_to
        )
