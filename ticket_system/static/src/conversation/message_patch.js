import {Message} from "@mail/core/common/message";
import {patch} from "@web/core/utils/patch";
import {TICKET_ROLES} from "./ticket_roles";

patch(Message.prototype, {
    get attClass() {
        const role = this.message.ticket_role;
        if (!TICKET_ROLES[role]) {
            return super.attClass;
        }
        return {
            ...super.attClass,
            "o-ticket-message": true,
            [`o-ticket-role-${role}`]: true,
        };
    },

    get ticketRole() {
        return TICKET_ROLES[this.message.ticket_role];
    },
});
