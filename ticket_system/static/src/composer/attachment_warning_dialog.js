import {Component, useState} from "@odoo/owl";
import {Dialog} from "@web/core/dialog/dialog";
import {_t} from "@web/core/l10n/translation";
import {user} from "@web/core/user";

/** M-Ticket's "Anhänge" check: the reply mentions a file but has none. */
export class TicketAttachmentWarningDialog extends Component {
    static template = "ticket_system.TicketAttachmentWarningDialog";
    static components = {Dialog};
    static props = ["close", "keyword", "onSend", "onAttach"];

    setup() {
        this.state = useState({dontAskAgain: false});
    }

    get text() {
        return _t("Your reply mentions “%(keyword)s”, but no file is attached.", {
            keyword: this.props.keyword,
        });
    }

    onClickSend() {
        this.props.onSend(this.state.dontAskAgain);
        this.props.close();
    }

    onClickAttach() {
        this.props.onAttach(this.state.dontAskAgain);
        this.props.close();
    }
}

/**
 * Ask before a ticket reply with ``body`` and no file goes out, when its own
 * text announces one (the server reads it: ticket_attachment_keyword).
 * Resolves to "send", "attach" (back to the reply, to add the file) or
 * "cancel" (dialog closed).
 */
export async function checkTicketReplyAttachment({orm, dialog}, body) {
    const keyword = await orm.call("ticket.ticket", "ticket_attachment_keyword", [
        body,
    ]);
    if (!keyword) {
        return "send";
    }
    const stopAsking = async (dontAskAgain) => {
        if (dontAskAgain) {
            await orm.write("res.users", [user.userId], {
                ticket_attachment_warning: false,
            });
        }
    };
    return new Promise((resolve) => {
        dialog.add(
            TicketAttachmentWarningDialog,
            {
                keyword,
                // resolved at once: closing the dialog right after must not
                // turn the answer into "cancel"
                onSend: (dontAskAgain) =>
                    resolve(stopAsking(dontAskAgain).then(() => "send")),
                onAttach: (dontAskAgain) => {
                    stopAsking(dontAskAgain);
                    resolve("attach");
                },
            },
            {onClose: () => resolve("cancel")}
        );
    });
}
