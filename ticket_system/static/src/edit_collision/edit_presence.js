/** @odoo-module */
/**
 * "Being edited by another user" (M-Ticket "Ticketbearbeitung"): a widget at
 * the top of the ticket form. It tells the server when the form is opened,
 * gets unsaved changes, is saved or left; it listens on the ticket's bus
 * channel and shows who else has the ticket open, who is changing it and who
 * saved a change lately. Saves carry the write_date the form loaded, so the
 * server refuses one that would overwrite a colleague's newer change.
 */
import {Component, onWillUnmount, useState} from "@odoo/owl";
import {deserializeDateTime, serializeDateTime} from "@web/core/l10n/dates";
import {_t} from "@web/core/l10n/translation";
import {browser} from "@web/core/browser/browser";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {useRecordObserver} from "@web/model/relational_model/utils";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";
import {user} from "@web/core/user";

const {DateTime} = luxon;

export const EDIT_BUS_TYPE = "ticket_system.edit_presence";
export const EDIT_CHANNEL_PREFIX = "ticket_system.edit_presence_";
export const EDIT_CONTEXT_KEY = "ticket_edit_loaded";
// the relative time of a colleague's save is refreshed locally (no server call)
const CLOCK_INTERVAL = 30000;

// the ticket forms shown now: the conflict dialog reloads them
export const ticketEditForms = new Set();

export class TicketEditPresence extends Component {
    static template = "ticket_system.TicketEditPresence";
    static props = {...standardWidgetProps};

    setup() {
        this.orm = useService("orm");
        this.busService = useService("bus_service");
        this.state = useState({presences: {}, saved: null, now: DateTime.now()});
        this.ticketId = false;
        this.formState = false;
        this.onNotification = this.onNotification.bind(this);
        this.busService.subscribe(EDIT_BUS_TYPE, this.onNotification);
        this.onPageHide = () => this.sendLeaveBeacon();
        browser.addEventListener("pagehide", this.onPageHide);
        this.clock = browser.setInterval(() => {
            this.state.now = DateTime.now();
        }, CLOCK_INTERVAL);
        this.installSaveHooks(this.props.record.model);
        ticketEditForms.add(this);
        useRecordObserver((record) => this.onRecordChange(record));
        onWillUnmount(() => {
            ticketEditForms.delete(this);
            browser.clearInterval(this.clock);
            browser.removeEventListener("pagehide", this.onPageHide);
            this.busService.unsubscribe(EDIT_BUS_TYPE, this.onNotification);
            this.leave();
        });
    }

    // ---- what the template shows ----

    get editors() {
        return Object.values(this.state.presences).filter(
            (presence) => presence.state === "editing"
        );
    }

    get viewers() {
        return Object.values(this.state.presences).filter(
            (presence) => presence.state === "viewing"
        );
    }

    get savedInfo() {
        const saved = this.state.saved;
        if (!saved) {
            return null;
        }
        const date = deserializeDateTime(saved.since);
        if (this.state.now.diff(date, "minutes").minutes > saved.recent_minutes) {
            return null;
        }
        return {
            ...saved,
            ago: date < this.state.now ? date.toRelative({base: this.state.now}) : "",
            time: this.formatTime(saved.since),
            outdated: this.isOutdated(date),
        };
    }

    formatTime(serialized) {
        return deserializeDateTime(serialized).toLocaleString(DateTime.TIME_SIMPLE);
    }

    editingText(presence) {
        return _t("%(name)s is editing this ticket (since %(time)s).", {
            name: presence.user_name,
            time: this.formatTime(presence.since),
        });
    }

    viewingText(presence) {
        return _t("%(name)s has this ticket open too (since %(time)s).", {
            name: presence.user_name,
            time: this.formatTime(presence.since),
        });
    }

    savedText(saved) {
        const ago = saved.ago || _t("just now");
        return _t("%(name)s saved a change %(ago)s (%(time)s).", {
            name: saved.user_name,
            ago,
            time: saved.time,
        });
    }

    isOutdated(date) {
        const loaded = this.props.record.data.write_date;
        // the client knows datetimes to the second
        return Boolean(loaded) && date.startOf("second") > loaded.startOf("second");
    }

    // ---- the record: opened, changed, saved, left ----

    onRecordChange(record) {
        const resId = record.resId || false;
        const formState = record.dirty ? "editing" : "viewing";
        if (resId !== this.ticketId) {
            this.leave();
            this.ticketId = resId;
            this.formState = false;
            this.state.presences = {};
            this.state.saved = null;
            if (resId) {
                this.busService.addChannel(EDIT_CHANNEL_PREFIX + resId);
            }
        }
        if (resId && formState !== this.formState) {
            this.formState = formState;
            // not awaited: the form shows at once, the banner follows
            this.orm.silent
                .call("ticket.ticket", "edit_presence_update", [[resId], formState])
                .then((info) => {
                    if (resId === this.ticketId) {
                        this.applyInfo(info);
                    }
                });
        }
    }

    applyInfo(info) {
        const presences = {};
        for (const presence of info.presences || []) {
            presences[presence.user_id] = presence;
        }
        this.state.presences = presences;
        // the answer was computed when the call arrived: a save the bus
        // announced meanwhile is newer and stays
        const saved = info.saved || null;
        const heard = this.state.saved;
        if (!heard || (saved && saved.since >= heard.since)) {
            this.state.saved = saved;
        }
        this.state.now = DateTime.now();
    }

    leave() {
        const ticketId = this.ticketId;
        if (!ticketId) {
            return;
        }
        this.ticketId = false;
        this.formState = false;
        this.busService.deleteChannel(EDIT_CHANNEL_PREFIX + ticketId);
        this.orm.silent
            .call("ticket.ticket", "edit_presence_update", [[ticketId], "left"])
            .catch(() => {
                // the ticket may be gone (deleted, merged away)
            });
    }

    sendLeaveBeacon() {
        // the tab closes: a normal call may be cancelled, a beacon is not
        if (!this.ticketId) {
            return;
        }
        const params = {
            model: "ticket.ticket",
            method: "edit_presence_update",
            args: [[this.ticketId], "left"],
            kwargs: {},
        };
        const blob = new Blob(
            [JSON.stringify({jsonrpc: "2.0", method: "call", params})],
            {type: "application/json"}
        );
        navigator.sendBeacon(
            "/web/dataset/call_kw/ticket.ticket/edit_presence_update",
            blob
        );
        this.ticketId = false;
    }

    onNotification(payload) {
        if (payload.ticket_id !== this.ticketId || payload.user_id === user.userId) {
            return;
        }
        if (payload.state === "saved") {
            this.state.saved = payload;
            this.state.now = DateTime.now();
        } else if (payload.state === "left") {
            delete this.state.presences[payload.user_id];
        } else {
            this.state.presences[payload.user_id] = payload;
        }
    }

    // ---- the save carries what the form loaded ----

    installSaveHooks(model) {
        // one form model per ticket form: wrap its hooks once
        if (model._ticketEditHooks) {
            return;
        }
        model._ticketEditHooks = true;
        const {onWillSaveRecord, onRecordSaved} = model.hooks;
        model.hooks.onWillSaveRecord = async (record, changes) => {
            const result = await onWillSaveRecord(record, changes);
            if (result !== false && record.id === model.root.id && record.resId) {
                const loaded = record.data.write_date;
                record.config.context = {
                    ...record.config.context,
                    [EDIT_CONTEXT_KEY]: loaded
                        ? [record.resId, serializeDateTime(loaded)]
                        : false,
                };
            }
            return result;
        };
        model.hooks.onRecordSaved = async (record, changes) => {
            forgetLoadedStamp(record);
            return onRecordSaved(record, changes);
        };
    }

    async reload() {
        const record = this.props.record;
        forgetLoadedStamp(record);
        await record.discard();
        await record.model.load();
    }
}

function forgetLoadedStamp(record) {
    if (record.config.context && EDIT_CONTEXT_KEY in record.config.context) {
        const context = {...record.config.context};
        delete context[EDIT_CONTEXT_KEY];
        record.config.context = context;
    }
}

export const ticketEditPresence = {
    component: TicketEditPresence,
    fieldDependencies: [{name: "write_date", type: "datetime"}],
};

registry.category("view_widgets").add("ticket_edit_presence", ticketEditPresence);
