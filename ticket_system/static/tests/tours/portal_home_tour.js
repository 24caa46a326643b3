/** @odoo-module */

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("ticket_system_portal_home_tour", {
    url: "/my",
    steps: () => [
        {
            content: "The counters are loaded",
            trigger: ".o_portal_docs:not(:has(.o_portal_doc_spinner))",
        },
        {
            content: "The Tickets entry shows although the customer has no ticket yet",
            trigger: ".o_portal_index_card:not(.d-none) a[href='/my/tickets']",
        },
        {
            content: "A new ticket can be opened from the portal home",
            trigger: ".o_portal_index_card:not(.d-none) a[href='/ticket/submit']",
        },
    ],
});
