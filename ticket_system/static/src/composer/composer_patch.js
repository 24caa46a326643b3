import {Composer} from "@mail/core/common/composer";
import {toRaw} from "@odoo/owl";
import {patch} from "@web/core/utils/patch";
import {_t} from "@web/core/l10n/translation";

import {checkTicketReplyAttachment} from "./attachment_warning_dialog";
import {
    dropTicketDraft,
    isTicketThread,
    readTicketDraft,
    writeTicketDraftText,
} from "./ticket_drafts";

/**
 * The ticket chatter's composer: one stored draft per action (reply,
 * comment) instead of Odoo's single one, clear button labels, and the
 * missing-attachment question before a reply goes out.
 */
patch(Composer.prototype, {
    /** "message" or "note" when this is a ticket's reply/comment box. */
    get ticketDraftType() {
        if (
            isTicketThread(this.thread) &&
            !this.props.composer.message &&
            ["message", "note"].includes(this.props.type)
        ) {
            return this.props.type;
        }
        return false;
    },

    get placeholder() {
        if (this.ticketDraftType === "message") {
            return _t("Reply to the customer…");
        }
        if (this.ticketDraftType === "note") {
            return _t("Internal comment for your colleagues…");
        }
        return super.placeholder;
    },

    get SEND_TEXT() {
        if (this.ticketDraftType === "message") {
            return _t("Send reply");
        }
        if (this.ticketDraftType === "note") {
            return _t("Save comment");
        }
        return super.SEND_TEXT;
    },

    saveContent() {
        const type = this.ticketDraftType;
        if (!type) {
            return super.saveContent();
        }
        const composer = toRaw(this.props.composer);
        if (this.state.isFullComposerOpen) {
            this.fullComposerBus.trigger("SAVE_CONTENT", {
                onSaveContent: (text, emailAddSignature) =>
                    writeTicketDraftText(composer, type, text, emailAddSignature),
            });
        } else {
            writeTicketDraftText(composer, type, composer.text, true);
        }
    },

    restoreContent() {
        const type = this.ticketDraftType;
        if (!type) {
            return super.restoreContent();
        }
        const composer = toRaw(this.props.composer);
        const draft = readTicketDraft(composer, type);
        if (draft.text) {
            composer.emailAddSignature = draft.emailAddSignature ?? true;
            composer.text = draft.text;
        }
    },

    clear() {
        const type = this.ticketDraftType;
        super.clear();
        if (type) {
            dropTicketDraft(this.props.composer, type);
        }
    },

    async sendMessage() {
        const composer = toRaw(this.props.composer);
        if (
            this.ticketDraftType !== "message" ||
            composer.attachments.length ||
            !composer.text.trim()
        ) {
            return super.sendMessage();
        }
        if (this.ticketCheckingAttachments) {
            return;
        }
        this.ticketCheckingAttachments = true;
        let answer;
        try {
            answer = await checkTicketReplyAttachment(this.env.services, composer.text);
        } finally {
            this.ticketCheckingAttachments = false;
        }
        if (answer === "send") {
            return super.sendMessage();
        }
        if (answer === "attach") {
            this.ticketOpenFilePicker();
        }
    },

    /** Back to the reply with the file dialog open (the paperclip). */
    ticketOpenFilePicker() {
        const box = this.ref.el?.closest(".o-mail-Composer");
        const button = box?.querySelector(".o-mail-Composer-attachFiles");
        if (button) {
            button.click();
        } else {
            this.props.composer.autofocus++;
        }
    },
});
