/** @odoo-module */

import {registry} from "@web/core/registry";

// Gina opens a ticket Anna is editing; Anna saves first (see test_edit_collision)
registry.category("web_tour.tours").add("ticket_system_edit_collision_tour", {
    steps: () => [
        {
            content: "Gina sees at once that Anna has unsaved changes",
            trigger:
                ".o_ticket_edit_presence_editing:contains('Anna Schmidt is editing this ticket (since')",
        },
        {
            content: "Gina changes the subject",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: "edit Paket fehlt (Gina)",
        },
        {
            content: "Anna's save is announced, with the offer to reload",
            trigger:
                ".o_ticket_edit_presence_saved:contains('Anna Schmidt saved a change') .o_ticket_edit_presence_reload",
        },
        {
            content: "Gina saves her stale form anyway",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The save is refused, naming Anna",
            trigger:
                ".modal .o_ticket_edit_conflict:contains('Anna Schmidt changed this ticket')",
        },
        {
            content: "Reload the current version",
            trigger: ".modal .o_ticket_edit_conflict_reload",
            run: "click",
        },
        {
            content: "The form shows Anna's version: nothing to reload any more",
            trigger:
                ".o_form_saved .o_ticket_edit_presence_saved:not(:has(.o_ticket_edit_presence_reload))",
        },
        {
            content: "Gina's subject is gone, the ticket's is back",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run() {
                const value = this.anchor.value;
                if (value !== "Paket fehlt") {
                    throw new Error(`subject after reload: ${value}`);
                }
            },
        },
    ],
});
