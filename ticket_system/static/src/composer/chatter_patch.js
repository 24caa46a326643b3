import {Chatter} from "@mail/chatter/web_portal/chatter";
import {patch} from "@web/core/utils/patch";

import {TicketReplyRecipients} from "./ticket_reply_recipients";
import {isTicketThread, restoreTicketDraft, stashTicketDraft} from "./ticket_drafts";

Object.assign(Chatter.components, {TicketReplyRecipients});

/**
 * On a ticket the chatter's two buttons are M-Ticket's "Reply" (mailed to the
 * customer and the CC addresses, listed before sending) and "Comment"
 * (internal, drawn as a yellow note), each with its own draft.
 */
patch(Chatter.prototype, {
    get isTicketChatter() {
        return this.props.threadModel === "ticket.ticket";
    },

    get ticketComposerClass() {
        if (this.state.composerType === "note") {
            return "pt-2 o-ticket-Composer-comment";
        }
        return "o-ticket-Composer-reply";
    },

    get ticketRecordUnsaved() {
        return Boolean(this.props.webRecord?.dirty);
    },

    /** Reload the recipients line when the ticket's addresses are saved. */
    get ticketRecipientsKey() {
        const record = this.props.webRecord;
        const data = record?.data || {};
        return JSON.stringify([
            data.partner_id?.id ?? data.partner_id?.[0] ?? false,
            data.partner_email || false,
            data.email_cc || false,
            this.ticketRecordUnsaved,
        ]);
    },

    async toggleComposer(mode = false) {
        if (!isTicketThread(this.state.thread) || !this.state.thread.id) {
            return super.toggleComposer(mode);
        }
        const composer = this.state.thread.composer;
        const previous = this.state.composerType;
        if (previous) {
            stashTicketDraft(composer, previous);
        }
        if (
            mode === "message" &&
            previous !== "message" &&
            this.props.webRecord?.dirty
        ) {
            // the recipients line shows what the server sends: addresses
            // typed into the form count once saved
            await this.props.saveRecord?.();
        }
        super.toggleComposer(mode);
        const current = this.state.composerType;
        if (current && current !== previous) {
            restoreTicketDraft(composer, current);
        }
    },
});
