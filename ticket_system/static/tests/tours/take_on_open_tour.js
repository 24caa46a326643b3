/** @odoo-module */

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("ticket_system_take_on_open_tour", {
    steps: () => [
        {
            content: "The unassigned ticket opens",
            trigger:
                ".o_form_view .o_field_widget[name='name'] input:value(Wartet auf die Schicht)",
        },
        {
            content: "Opening it made it the agent's ticket",
            trigger:
                ".o_form_view .o_field_widget[name='user_id'] input:value(Schicht Agentin)",
        },
    ],
});
