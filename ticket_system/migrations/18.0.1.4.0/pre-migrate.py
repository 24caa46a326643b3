# the agents' record rules name their queues by id now (literal ids, so that
# PostgreSQL can use the index of queue_id); they are seed data (noupdate),
# which an update skips when it exists: dropped here, the update recreates
# them from security/ticket_security.xml
RULES = (
    "ticket_ticket_rule_user",
    "ticket_owner_rule_user",
    "ticket_time_entry_rule_user",
    "ticket_time_entry_rule_user_own",
)


def migrate(cr, version):
    cr.execute(
        """
        WITH gone AS (
            DELETE FROM ir_model_data
             WHERE module = 'ticket_system' AND model = 'ir.rule' AND name IN %s
         RETURNING res_id
        )
        DELETE FROM ir_rule WHERE id IN (SELECT res_id FROM gone)
        """,
        [RULES],
    )
