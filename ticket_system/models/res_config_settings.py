from odoo import fields, models

from .ticket_mail_volume import (
    DEFAULTS,
    PARAM_FORM_TOTAL,
    PARAM_IP_HOURS,
    PARAM_SENDER,
    PARAM_TOTAL,
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ticket_time_product_id = fields.Many2one(
        related="company_id.ticket_time_product_id", readonly=False
    )
    # ---- MAIL VOLUME (system parameters, 0: no limit) ----
    ticket_autoresponse_limit_sender = fields.Integer(
        string="Confirmations per Address and Hour",
        config_parameter=PARAM_SENDER,
        default=DEFAULTS[PARAM_SENDER],
    )
    ticket_autoresponse_limit_total = fields.Integer(
        string="Confirmations per Hour",
        config_parameter=PARAM_TOTAL,
        default=DEFAULTS[PARAM_TOTAL],
    )
    ticket_contact_form_limit_total = fields.Integer(
        string="Contact Form Requests per Hour",
        config_parameter=PARAM_FORM_TOTAL,
        default=DEFAULTS[PARAM_FORM_TOTAL],
    )
    ticket_contact_form_ip_hours = fields.Integer(
        string="Keep Contact Form IP Addresses (Hours)",
        config_parameter=PARAM_IP_HOURS,
        default=DEFAULTS[PARAM_IP_HOURS],
    )

    def set_values(self):
        res = super().set_values()
        # Odoo deletes an integer parameter set to 0, which would bring back
        # the default: here 0 means "no limit", so it is stored
        # sudo: system parameters are configuration (Settings is for admins)
        params = self.env["ir.config_parameter"].sudo()
        for name in (
            "ticket_autoresponse_limit_sender",
            "ticket_autoresponse_limit_total",
            "ticket_contact_form_limit_total",
        ):
            if not self[name]:
                params.set_param(self._fields[name].config_parameter, "0")
        if self.ticket_contact_form_ip_hours < 1:
            params.set_param(PARAM_IP_HOURS, "1")
        return res
