import {Message} from "@mail/core/common/message_model";
import {patch} from "@web/core/utils/patch";

patch(Message.prototype, {
    setup() {
        super.setup(...arguments);
        /** @type {undefined|"customer"|"agent"|"internal"|"system"} */
        this.ticket_role = undefined;
    },

    /**
     * Odoo colours a bubble by viewer (own messages green, the others blue):
     * a ticket message is coloured by its role instead (see conversation.scss).
     */
    get bubbleColor() {
        if (this.ticket_role && !this.isHighlightedFromMention) {
            return undefined;
        }
        return super.bubbleColor;
    },
});
