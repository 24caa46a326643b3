import {_t} from "@web/core/l10n/translation";

/**
 * The roles of a ticket conversation (M-Ticket "Kommunikation"), as the
 * server sends them with each message (`ticket_role`): who wrote it in the
 * ticket's terms, the same for every viewer.
 */
export const TICKET_ROLES = {
    customer: {icon: "fa-arrow-circle-right", label: _t("Customer")},
    agent: {icon: "fa-reply", label: _t("Agent")},
    internal: {icon: "fa-sticky-note", label: _t("Internal comment")},
    system: {icon: "fa-cog", label: _t("Automatic")},
};
