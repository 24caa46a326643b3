/** @odoo-module */

import {Component, onWillStart, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {formatFloat} from "@web/core/utils/numbers";
import {registry} from "@web/core/registry";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";
import {useService} from "@web/core/utils/hooks";

const {DateTime} = luxon;

/**
 * The statistics dashboard (Tickets > Reporting > Dashboard): every figure
 * comes from one server call, `ticket.ticket.get_dashboard_data`, computed
 * with the user's record rules; a click opens the tickets behind a figure.
 */
export class TicketDashboard extends Component {
    static template = "ticket_system.TicketDashboard";
    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({data: null, period: 30});
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call("ticket.ticket", "get_dashboard_data", [
            this.state.period,
        ]);
    }

    async onPeriodChange(ev) {
        this.state.period = parseInt(ev.target.value, 10);
        await this.load();
    }

    get maxPerDay() {
        return Math.max(1, ...this.state.data.opened_per_day.map((day) => day.count));
    }

    barHeight(day) {
        return `${Math.round((day.count / this.maxPerDay) * 100)}%`;
    }

    dayLabel(day) {
        return DateTime.fromISO(day.date).toFormat("ccc dd.MM.");
    }

    periodLabel(days) {
        return _t("Last %s days", days);
    }

    formatHours(hours) {
        if (hours === null || hours === undefined) {
            return "–";
        }
        return _t("%s h", formatFloat(hours, {digits: [false, 1]}));
    }

    /** The key figures, each with the tickets behind it. */
    get cards() {
        const data = this.state.data;
        return [
            {
                key: "open",
                title: _t("Open Tickets"),
                value: data.open.count,
                domain: data.open.domain,
            },
            {
                key: "first_response",
                title: _t("First Response"),
                value: this.formatHours(data.first_response.median),
                note: _t("median; average %(average)s over %(count)s tickets", {
                    average: this.formatHours(data.first_response.average),
                    count: data.first_response.count,
                }),
                domain: data.first_response.domain,
            },
            {
                key: "resolution",
                title: _t("Resolution Time"),
                value: this.formatHours(data.resolution.median),
                note: _t("median; average %(average)s over %(count)s tickets", {
                    average: this.formatHours(data.resolution.average),
                    count: data.resolution.count,
                }),
                domain: data.resolution.domain,
            },
            {
                key: "sla_reached",
                title: _t("SLA Reached"),
                value: data.sla.reached.count,
                note: _t("tickets created in the period"),
                domain: data.sla.reached.domain,
            },
            {
                key: "sla_failed",
                title: _t("SLA Failed"),
                value: data.sla.failed.count,
                note: _t("tickets created in the period"),
                domain: data.sla.failed.domain,
                danger: data.sla.failed.count > 0,
            },
            {
                key: "time",
                title: _t("Time Spent"),
                value: this.formatHours(data.time.hours),
                note: _t("on %(count)s tickets", {count: data.time.count}),
                domain: data.time.domain,
            },
            {
                key: "billable",
                title: _t("Billable Tickets"),
                value: data.time.billable_count,
                note: _t("with %(hours)s logged", {
                    hours: this.formatHours(data.time.billable_hours),
                }),
                domain: data.time.billable_domain,
            },
        ];
    }

    /** The open tickets per queue, status and agent. */
    get tables() {
        const open = this.state.data.open;
        return [
            {key: "queue", title: _t("Open per Queue"), rows: open.by_queue},
            {key: "stage", title: _t("Open per Status"), rows: open.by_stage},
            {key: "user", title: _t("Open per Agent"), rows: open.by_user},
        ];
    }

    openTickets(name, domain) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            name,
            res_model: "ticket.ticket",
            views: [
                [false, "list"],
                [false, "kanban"],
                [false, "form"],
            ],
            domain,
            context: {create: false},
        });
    }
}

registry.category("actions").add("ticket_system.dashboard", TicketDashboard);
