/** @odoo-module */

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("ticket_system_dashboard_tour", {
    steps: () => [
        {
            content: "The dashboard shows the open tickets",
            trigger:
                ".o_ticket_dashboard .o_ticket_dashboard_figure[data-figure='open']",
        },
        {
            content: "The chart shows the last 7 days",
            trigger:
                ".o_ticket_dashboard_chart:has(.o_ticket_dashboard_day:nth-child(7))",
        },
        {
            content: "Open tickets per queue are listed",
            trigger: ".o_ticket_dashboard_table_queue .o_ticket_dashboard_row",
        },
        {
            content: "Another period",
            trigger: ".o_ticket_dashboard_period",
            run: "select 90",
        },
        {
            content: "Open the tickets behind the figure",
            trigger: ".o_ticket_dashboard_figure[data-figure='open']",
            run: "click",
        },
        {
            content: "The list shows them",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Only open tickets",
            trigger: ".o_breadcrumb:contains(Open Tickets)",
        },
    ],
});
