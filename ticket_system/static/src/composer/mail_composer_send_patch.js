import "@mail/chatter/web/mail_composer_send_dropdown";
import {patch} from "@web/core/utils/patch";
import {registry} from "@web/core/registry";

import {checkTicketReplyAttachment} from "./attachment_warning_dialog";

/**
 * The full composer (the chatter's "expand" button) asks the same question
 * as the reply box before a ticket reply without a file goes out.
 */
const {component: MailComposerSendDropdown} = registry
    .category("view_widgets")
    .get("mail_composer_send_dropdown");

patch(MailComposerSendDropdown.prototype, {
    async onClickSend() {
        const data = this.props.record.data;
        if (
            data.model === "ticket.ticket" &&
            data.composition_mode === "comment" &&
            !data.subtype_is_log &&
            !data.attachment_ids.records.length
        ) {
            const answer = await checkTicketReplyAttachment(
                {orm: this.orm, dialog: this.dialogService},
                data.body
            );
            if (answer === "attach") {
                const pickers = document.querySelectorAll(
                    ".modal .o_field_mail_composer_attachment_selector button"
                );
                pickers[pickers.length - 1]?.click();
            }
            if (answer !== "send") {
                return;
            }
        }
        return super.onClickSend();
    },
});
