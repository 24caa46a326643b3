/** @odoo-module */

import {registry} from "@web/core/registry";

const SUBJECT = "Tour: parcel lost in transit";

registry.category("web_tour.tours").add("ticket_system_tour", {
    url: "/odoo/action-ticket_system.ticket_ticket_action",
    steps: () => [
        {
            content: "The ticket kanban is open, grouped by status",
            trigger: ".o_kanban_renderer .o_kanban_group",
        },
        {
            content: "Create a ticket",
            trigger: ".o_control_panel .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Fill in the subject",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: `edit ${SUBJECT}`,
        },
        {
            content: "New tickets start in the first status",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('New')",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the ticket got its number",
            trigger: ".o_form_saved .o_field_widget[name='number'] span:contains('T')",
        },
        {
            content: "Back to the tickets",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "The new ticket is on the kanban",
            trigger: `.o_kanban_record:contains('${SUBJECT}')`,
        },
        {
            content: "Switch to the list view",
            trigger: ".o_control_panel button.o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The list shows the new ticket",
            trigger: `.o_list_view .o_data_row .o_data_cell[name='name']:contains('${SUBJECT}')`,
        },
    ],
});
