import {Component, onWillStart, onWillUpdateProps, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {useService} from "@web/core/utils/hooks";

/**
 * "To: … Cc: …" above a ticket reply: the addresses the server will mail,
 * asked from the server (ticket.ticket.ticket_reply_recipients), never
 * guessed here.
 */
export class TicketReplyRecipients extends Component {
    static template = "ticket_system.TicketReplyRecipients";
    static props = ["thread", "refreshKey?", "unsaved?"];

    setup() {
        this.orm = useService("orm");
        this.state = useState({loaded: false, recipients: [], inboxCount: 0});
        onWillStart(() => this.load(this.props.thread));
        onWillUpdateProps((next) => {
            if (
                next.thread !== this.props.thread ||
                next.refreshKey !== this.props.refreshKey
            ) {
                return this.load(next.thread);
            }
        });
    }

    async load(thread) {
        if (!thread?.id) {
            return;
        }
        const result = await this.orm.call(thread.model, "ticket_reply_recipients", [
            [thread.id],
        ]);
        Object.assign(this.state, {
            loaded: true,
            recipients: result.recipients,
            inboxCount: result.inbox_count,
        });
    }

    get inboxText() {
        return this.state.inboxCount === 1
            ? _t("1 colleague following the ticket is notified in Odoo.")
            : _t("%(count)s colleagues following the ticket are notified in Odoo.", {
                  count: this.state.inboxCount,
              });
    }

    ofKind(kind) {
        return this.state.recipients.filter((r) => r.kind === kind);
    }

    label(recipient) {
        return recipient.name && recipient.name !== recipient.email
            ? `${recipient.name} <${recipient.email}>`
            : recipient.email;
    }
}
