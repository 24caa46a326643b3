/** @odoo-module */

import {registry} from "@web/core/registry";

const MESSAGE = ".o-mail-Chatter .o-mail-Message";

registry.category("web_tour.tours").add("ticket_system_conversation_tour", {
    steps: () => [
        {
            content: "The ticket form shows the conversation beside the form",
            trigger: ".o_form_view .o-mail-Form-chatter.o-aside .o-mail-Chatter",
        },
        {
            content: "The conversation starts on the first screen, no scrolling",
            trigger: `${MESSAGE}.o-ticket-message`,
            run() {
                const message = document.querySelector(`${MESSAGE}.o-ticket-message`);
                const sheet = document.querySelector(".o_form_view .o_form_sheet");
                const top = message.getBoundingClientRect().top;
                if (top > window.innerHeight * 0.6) {
                    throw new Error(
                        `The conversation starts at ${top}px, below the form`
                    );
                }
                if (
                    message.getBoundingClientRect().left <
                    sheet.getBoundingClientRect().right
                ) {
                    throw new Error("The conversation is not beside the form");
                }
            },
        },
        {
            content: "A legend names the colours of the conversation",
            trigger:
                ".o-mail-Chatter .o-ticket-ConversationLegend:contains('Customer'):contains('Agent'):contains('Internal comment')",
        },
        {
            content: "The customer's mails are marked as the customer's",
            trigger: `${MESSAGE}.o-ticket-role-customer:contains('Stefan Braun')`,
        },
        {
            content: "The agent's answer is marked as an agent's",
            trigger: `${MESSAGE}.o-ticket-role-agent:contains('Anna Becker')`,
        },
        {
            content: "The internal comment looks like a note",
            trigger: `${MESSAGE}.o-ticket-role-internal .o-ticket-role-icon.fa-sticky-note`,
        },
        {
            content: "Not coloured by viewer: no bubble of Odoo's own colours",
            trigger: `.o-mail-Chatter:not(:has(${MESSAGE}.o-ticket-message .o-mail-Message-bubble))`,
        },
        {
            content: "The first mail is not repeated as the ticket's description",
            trigger:
                ".o_form_view .o_notebook:not(:has(.nav-link[name='description']))",
        },
    ],
});
