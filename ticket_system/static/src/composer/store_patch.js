import {Store} from "@mail/core/common/store_service";
import {patch} from "@web/core/utils/patch";

import {isTicketThread} from "./ticket_drafts";

/**
 * A ticket reply goes to the addresses shown above the box, which the server
 * adds itself (customer and CC, without the desk's own addresses): Odoo's
 * suggested recipients are not posted on top, so that what the agent reads is
 * what is sent. Partners mentioned with @ stay.
 */
patch(Store.prototype, {
    async getMessagePostParams({postData, thread}) {
        const params = await super.getMessagePostParams(...arguments);
        if (!isTicketThread(thread) || postData.isNote) {
            return params;
        }
        const suggested = new Set(
            thread.suggestedRecipients.map((r) => r.persona?.id).filter(Boolean)
        );
        const mentioned = new Set((postData.mentionedPartners || []).map((p) => p.id));
        const partnerIds = (params.post_data.partner_ids || []).filter(
            (id) => !suggested.has(id) || mentioned.has(id)
        );
        if (partnerIds.length) {
            params.post_data.partner_ids = partnerIds;
        } else {
            delete params.post_data.partner_ids;
        }
        delete params.partner_emails;
        delete params.partner_additional_values;
        return params;
    },
});
