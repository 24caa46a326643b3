from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The shipped customer templates render in the ticket's customer
    language (the queue's for unknown senders), not only the partner's.
    Existing tickets name who acted last."""
    cr.execute(
        """
        UPDATE mail_template t
           SET lang = '{{ object.customer_lang }}'
          FROM ir_model_data d
         WHERE d.model = 'mail.template'
           AND d.res_id = t.id
           AND d.module = 'ticket_system'
           AND d.name IN (
                   'mail_template_ticket_autoresponder', 'mail_template_ticket_solved'
               )
           AND t.lang = '{{ object.partner_id.lang }}'
        """
    )
    api.Environment(cr, SUPERUSER_ID, {})["ticket.ticket"]._fill_last_action_author()
