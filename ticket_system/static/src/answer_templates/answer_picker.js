import {Component, onMounted, useRef, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";

/**
 * The searchable list of the "Templates" and "Text blocks" buttons of the
 * ticket composer: items grouped by their `group`, a click inserts one.
 */
export class TicketAnswerPicker extends Component {
    static template = "ticket_system.AnswerPicker";
    static props = {
        title: String,
        // [{id, label, detail, text, group}]
        items: Array,
        emptyText: String,
        onSelect: Function,
        manageLabel: {type: String, optional: true},
        onManage: {type: Function, optional: true},
        close: Function,
    };

    setup() {
        this.state = useState({search: ""});
        this.searchRef = useRef("search");
        this.searchPlaceholder = _t("Search…");
        onMounted(() => this.searchRef.el?.focus());
    }

    get visibleGroups() {
        const term = this.state.search.trim().toLowerCase();
        const groups = [];
        const byName = new Map();
        for (const item of this.props.items) {
            const haystack = [item.label, item.detail, item.text, item.group]
                .join(" ")
                .toLowerCase();
            if (term && !haystack.includes(term)) {
                continue;
            }
            if (!byName.has(item.group)) {
                const group = {name: item.group, items: []};
                byName.set(item.group, group);
                groups.push(group);
            }
            byName.get(item.group).items.push(item);
        }
        return groups;
    }

    onKeydown(ev) {
        if (ev.key === "Enter") {
            ev.preventDefault();
            const first = this.visibleGroups[0]?.items[0];
            if (first) {
                this.select(first);
            }
        } else if (ev.key === "Escape") {
            this.props.close();
        }
    }

    select(item) {
        this.props.close();
        this.props.onSelect(item);
    }

    manage() {
        this.props.close();
        this.props.onManage();
    }
}
