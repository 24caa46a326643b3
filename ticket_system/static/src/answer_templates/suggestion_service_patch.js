import {SuggestionService} from "@mail/core/common/suggestion_service";
import {toRaw} from "@odoo/owl";
import {patch} from "@web/core/utils/patch";

// how long the text blocks allowed in a ticket are kept before asking again
const TICKET_BLOCKS_TTL = 60000;

/**
 * ":shortcut" in a ticket offers only the text blocks of the ticket's queue
 * (and those of all queues); elsewhere only those of all queues.
 */
patch(SuggestionService.prototype, {
    async fetchSuggestions({delimiter, term}, {thread, abortSignal} = {}) {
        await super.fetchSuggestions(...arguments);
        thread = toRaw(thread);
        if (delimiter === ":" && thread?.model === "ticket.ticket" && thread.id) {
            await this.fetchTicketTextBlocks(thread, {abortSignal});
        }
    },

    async fetchTicketTextBlocks(thread, {abortSignal} = {}) {
        this.ticketTextBlocks ??= new Map();
        const cached = this.ticketTextBlocks.get(thread.id);
        if (cached && Date.now() - cached.time < TICKET_BLOCKS_TTL) {
            return;
        }
        const blocks = await this.makeOrmCall(
            "ticket.ticket",
            "text_block_list",
            [[thread.id]],
            {},
            {abortSignal}
        );
        this.ticketTextBlocks.set(thread.id, {
            time: Date.now(),
            ids: new Set(blocks.map((block) => block.id)),
        });
    },

    searchSuggestions({delimiter, term}, {thread, sort = false} = {}) {
        const result = super.searchSuggestions(...arguments);
        if (delimiter !== ":") {
            return result;
        }
        thread = toRaw(thread);
        const allowed =
            thread?.model === "ticket.ticket" &&
            this.ticketTextBlocks?.get(thread.id)?.ids;
        return {
            ...result,
            suggestions: result.suggestions.filter((cannedResponse) =>
                allowed
                    ? allowed.has(cannedResponse.id)
                    : !cannedResponse.ticket_queue_ids?.length
            ),
        };
    },
});
