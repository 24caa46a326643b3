/** @odoo-module */

import {registry} from "@web/core/registry";

// The ticket is opened by the Python test (test_ui_answer.py), its customer
// speaks German: the template is inserted in German.
registry.category("web_tour.tours").add("ticket_system_answer_tour", {
    steps: () => [
        {
            content: "The ticket's chatter is loaded",
            trigger: ".o_form_view .o-mail-Chatter .o-mail-Message",
        },
        {
            content: "Open the reply box",
            trigger: ".o-mail-Chatter-sendMessage",
            run: "click",
        },
        {
            content: "Type the shortcut of a text block of another queue",
            trigger: ".o-mail-Composer-input",
            run: "edit :retourenadr",
        },
        {
            content: "Text blocks of other queues are not offered",
            trigger: ".o-mail-Composer-input:value(:retourenadr)",
            async run() {
                await new Promise((resolve) => setTimeout(resolve, 2000));
                if (document.querySelector(".o-mail-Composer-suggestion")) {
                    throw new Error("A text block of another queue is offered.");
                }
            },
        },
        {
            content: "Type the shortcut of a text block of all queues",
            trigger: ".o-mail-Composer-input",
            run: "edit :versan",
        },
        {
            content: "It is offered",
            trigger: ".o-mail-Composer-suggestion:contains(versandt)",
        },
        {
            content: "Empty the reply box again",
            trigger: ".o-mail-Composer-input",
            run: "clear",
        },
        {
            content: "Open the answer templates",
            trigger: ".o-mail-Composer .o-ticket-Composer-templates",
            run: "click",
        },
        {
            content: "The queue's template comes first",
            trigger:
                ".o-ticket-AnswerPicker .o-ticket-AnswerPicker-group:first:contains('Vertrieb')",
        },
        {
            content: "Search the templates",
            trigger: ".o-ticket-AnswerPicker-search",
            run: "edit parcel",
        },
        {
            content: "Insert the order status template",
            trigger: ".o-ticket-AnswerPicker-item:contains('Order status')",
            run: "click",
        },
        {
            content:
                "The template is in the reply box, in German, placeholders as written",
            trigger:
                ".o-mail-Composer-input:value(vielen Dank für Ihre Anfrage zu Ihrer Bestellung):value(@Briefanrede@)",
        },
        {
            content: "Open the text blocks",
            trigger: ".o-mail-Composer .o-ticket-Composer-textBlocks",
            run: "click",
        },
        {
            content: "Text blocks are grouped by folder",
            trigger:
                ".o-ticket-AnswerPicker .o-ticket-AnswerPicker-group:contains('Versand und Retoure')",
        },
        {
            content: "Insert the shipping text block",
            trigger: ".o-ticket-AnswerPicker-item:contains(':versandt')",
            run: "click",
        },
        {
            content: "Both texts are in the reply box",
            trigger:
                ".o-mail-Composer-input:value(Die Sendungsnummer erhalten Sie):value(Mit freundlichen Grüßen)",
        },
        {
            content: "Send the answer",
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The answer is posted with its placeholders filled",
            trigger:
                ".o-mail-Message-body:contains(Die Sendungsnummer erhalten Sie):not(:contains(@Briefanrede@))",
        },
    ],
});
