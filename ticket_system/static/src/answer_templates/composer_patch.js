import {Composer} from "@mail/core/common/composer";
import {toRaw} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {usePopover} from "@web/core/popover/popover_hook";
import {useService} from "@web/core/utils/hooks";
import {patch} from "@web/core/utils/patch";

import {TicketAnswerPicker} from "./answer_picker";

/**
 * "Templates" and "Text blocks" in the reply box of a ticket: the answer
 * templates of the ticket's queue and type first, rendered on the server in
 * the customer's language; the text blocks grouped by folder. Placeholders
 * (@Briefanrede@ …) are inserted as written and filled when the message is
 * sent.
 */
patch(Composer.prototype, {
    setup() {
        super.setup(...arguments);
        this.ticketOrm = useService("orm");
        this.ticketPicker = usePopover(TicketAnswerPicker, {
            position: "top-end",
            popoverClass: "o-ticket-AnswerPicker-popover",
        });
    },

    get hasTicketAnswerTools() {
        const thread = this.thread;
        return Boolean(
            thread?.model === "ticket.ticket" &&
                thread.id &&
                !this.props.composer.message &&
                this.state.active
        );
    },

    async onClickTicketTemplates(ev) {
        const target = ev.currentTarget;
        if (this.ticketPicker.isOpen) {
            this.ticketPicker.close();
            return;
        }
        const templates = await this.ticketOrm.call(
            "ticket.ticket",
            "answer_template_list",
            [[this.thread.id]]
        );
        this.ticketPicker.open(target, {
            title: _t("Answer templates"),
            emptyText: _t("No answer template for this ticket."),
            items: templates.map((template) => ({
                id: template.id,
                label: template.name,
                detail: template.description,
                text: "",
                group: template.scope_label,
            })),
            onSelect: (item) => this.insertTicketTemplate(item.id),
        });
    },

    async insertTicketTemplate(templateId) {
        const rendered = await this.ticketOrm.call(
            "ticket.ticket",
            "answer_template_render",
            [[this.thread.id], templateId]
        );
        this.insertTicketText(rendered.body, {separate: true});
    },

    async onClickTicketTextBlocks(ev) {
        const target = ev.currentTarget;
        if (this.ticketPicker.isOpen) {
            this.ticketPicker.close();
            return;
        }
        const blocks = await this.ticketOrm.call("ticket.ticket", "text_block_list", [
            [this.thread.id],
        ]);
        const noFolder = _t("Without folder");
        this.ticketPicker.open(target, {
            title: _t("Text blocks"),
            emptyText: _t("No text block for this ticket."),
            items: blocks.map((block) => ({
                id: block.id,
                label: `:${block.source}`,
                detail: block.substitution,
                text: block.description,
                group: block.folder_name || noFolder,
                block,
            })),
            onSelect: (item) => this.insertTicketTextBlock(item.block),
            manageLabel: _t("Manage text blocks"),
            onManage: () =>
                this.env.services.action.doAction(
                    "ticket_system.mail_canned_response_action_ticket"
                ),
        });
    },

    insertTicketTextBlock(block) {
        // counted as used (last_used) when the message is posted, as with ":"
        const cannedResponse = this.store["mail.canned.response"].insert({
            id: block.id,
            source: block.source,
            substitution: block.substitution,
        });
        this.props.composer.cannedResponses.push(cannedResponse);
        this.insertTicketText(block.substitution);
    },

    /**
     * Replace an empty draft, else insert at the cursor.
     *
     * @param {String} text
     * @param {Object} [options]
     * @param {Boolean} [options.separate] keep a blank line to the text around
     */
    insertTicketText(text, {separate = false} = {}) {
        const composer = toRaw(this.props.composer);
        if (!composer.text.trim()) {
            composer.text = text;
            this.selection.moveCursor(text.length);
        } else {
            let before = composer.text.slice(0, composer.selection.start);
            let after = composer.text.slice(composer.selection.end);
            if (separate) {
                before = before.trim() ? before.replace(/\s*$/, "\n\n") : "";
                after = after.trim() ? after.replace(/^\s*/, "\n\n") : "";
            }
            composer.text = before + text + after;
            this.selection.moveCursor((before + text).length);
        }
        composer.autofocus++;
    },
});
