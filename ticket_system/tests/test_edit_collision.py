import json
import threading
import time
from datetime import timedelta

import requests

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.tests.common import WebsocketCase
from odoo.addons.mail.tests.common import mail_new_test_user

from ..models.ticket_edit_collision_mixin import (
    EDIT_CHANNEL_PREFIX,
    EDIT_CONTEXT_KEY,
    TicketEditConflict,
)
from .common_mail import TicketMailCommon


class EditCollisionCommon(TicketMailCommon):
    """Two agents of one queue (Gina, Anna) and one of another queue (Otto)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_anna = mail_new_test_user(
            cls.env,
            login="edit_anna",
            email="anna.schmidt@example.com",
            groups="ticket_system.group_ticket_user",
            name="Anna Schmidt",
        )
        cls.queue.member_ids = [(4, cls.agent_anna.id)]
        cls.outsider = mail_new_test_user(
            cls.env,
            login="edit_otto",
            email="otto.outsider@example.com",
            groups="ticket_system.group_ticket_user",
            name="Otto Outsider",
        )

    def _new_ticket(self, subject="Paket fehlt", msg_id="<edit-1@example.com>"):
        with self.mock_mail_gateway():
            return self._receive("kunde.gateway@example.com", subject, msg_id=msg_id)

    def _loaded(self, ticket, ago=0):
        """The context of a ticket form that loaded the ticket ``ago`` seconds
        before now (a test runs in one transaction: now does not move)."""
        loaded = ticket.write_date - timedelta(seconds=ago)
        return {EDIT_CONTEXT_KEY: [ticket.id, fields.Datetime.to_string(loaded)]}

    def _bus_payloads(self, ticket):
        channel = [self.env.cr.dbname, "ticket.ticket", ticket.id, "edit_presence"]
        return [
            json.loads(notif.message)["payload"]
            for notif in self._new_bus_notifs
            if json.loads(notif.channel) == channel
            and json.loads(notif.message)["type"] == "ticket_system.edit_presence"
        ]


@tagged("post_install", "-at_install", "ticket_system")
class TestEditCollision(EditCollisionCommon):
    def test_stale_save_of_other_user_is_refused(self):
        ticket = self._new_ticket()
        # Anna saves a change; Gina's form had loaded the ticket a minute before
        ticket.with_user(self.agent_anna).write({"priority": "2"})
        self.assertEqual(ticket.edit_uid, self.agent_anna)
        with self.assertRaises(TicketEditConflict) as refused:
            ticket.with_user(self.agent).with_context(**self._loaded(ticket, 60)).write(
                {"priority": "1"}
            )
        self.assertIn("Anna Schmidt", str(refused.exception))
        self.assertEqual(ticket.priority, "2", "the colleague's change stays")
        # a form that loaded Anna's change saves
        ticket.with_user(self.agent).with_context(**self._loaded(ticket)).write(
            {"priority": "1"}
        )
        self.assertEqual(ticket.priority, "1")
        self.assertEqual(ticket.edit_uid, self.agent)

    def test_same_user_and_no_context_are_not_refused(self):
        ticket = self._new_ticket()
        ticket.with_user(self.agent_anna).write({"priority": "2"})
        # her own older form: nobody else changed it
        ticket.with_user(self.agent_anna).with_context(
            **self._loaded(ticket, 60)
        ).write({"priority": "1"})
        # server code and other clients send no stamp: never refused
        ticket.with_user(self.agent_anna).write({"priority": "2"})
        ticket.with_user(self.agent).write({"priority": "0"})
        self.assertEqual(ticket.priority, "0")
        # a stamp for another ticket does not concern this one
        other = self._new_ticket("Rechnung fehlt", "<edit-2@example.com>")
        ticket.with_user(self.agent_anna).write({"priority": "2"})
        ticket.with_user(self.agent).with_context(
            **{EDIT_CONTEXT_KEY: [other.id, "2000-01-01 00:00:00"]}
        ).write({"priority": "1"})
        self.assertEqual(ticket.priority, "1")

    def test_gateway_and_replies_do_not_block(self):
        ticket = self._new_ticket()
        self.assertFalse(ticket.edit_uid, "a mail creating a ticket is no edit")
        # the customer writes again, an agent replies: bookkeeping only
        with self.mock_mail_gateway():
            self._receive(
                "kunde.gateway@example.com",
                "Re: Paket fehlt",
                msg_id="<edit-3@example.com>",
                extra="In-Reply-To: <edit-1@example.com>",
            )
            ticket.with_user(self.agent_anna).message_post(
                body="Wir prüfen das.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.last_action_by, "agent")
        self.assertFalse(ticket.edit_uid)
        ticket.with_user(self.agent).with_context(**self._loaded(ticket, 60)).write(
            {"priority": "1"}
        )
        self.assertEqual(ticket.priority, "1")
        # superuser code (crons, the gateway) does not stamp
        ticket.sudo().write({"priority": "2"})
        self.assertEqual(ticket.edit_uid, self.agent)

    def test_presence_is_sent_on_the_ticket_channel(self):
        ticket = self._new_ticket()
        with self.mock_bus():
            info = ticket.with_user(self.agent_anna).edit_presence_update("editing")
        self.assertEqual(info["presences"], [])
        payloads = self._bus_payloads(ticket)
        self.assertEqual(len(payloads), 1)
        self.assertEqual(payloads[0]["user_name"], "Anna Schmidt")
        self.assertEqual(payloads[0]["state"], "editing")
        self.assertEqual(
            fields.Datetime.to_datetime(payloads[0]["since"]).date(),
            fields.Date.today(),
        )
        # Gina opens the ticket: she learns at once that Anna is editing
        with self.mock_bus():
            info = ticket.with_user(self.agent).edit_presence_update("viewing")
        self.assertEqual(
            [(p["user_name"], p["state"]) for p in info["presences"]],
            [("Anna Schmidt", "editing")],
        )
        self.assertEqual(self._bus_payloads(ticket)[0]["user_name"], "Gina Agent")
        # Anna's browser crashed: her websocket closed, the bus set her offline
        self.env["bus.presence"].create(
            {"user_id": self.agent_anna.id, "status": "offline"}
        )
        info = ticket.with_user(self.agent).edit_presence_update("viewing")
        self.assertEqual(info["presences"], [])
        self.env["bus.presence"].search(
            [("user_id", "=", self.agent_anna.id)]
        ).status = "online"
        # Anna saves: everyone on the channel hears who and when
        with self.mock_bus():
            ticket.with_user(self.agent_anna).write({"priority": "2"})
        saved = self._bus_payloads(ticket)
        self.assertEqual([p["state"] for p in saved], ["saved"])
        self.assertEqual(saved[0]["user_name"], "Anna Schmidt")
        self.assertEqual(saved[0]["since"], fields.Datetime.to_string(ticket.edit_date))
        info = ticket.with_user(self.agent).edit_presence_update("viewing")
        self.assertEqual(info["saved"]["user_name"], "Anna Schmidt")
        # Anna leaves: her row is gone, the table keeps no history
        with self.mock_bus():
            ticket.with_user(self.agent_anna).edit_presence_update("left")
        self.assertEqual(self._bus_payloads(ticket)[0]["state"], "left")
        info = ticket.with_user(self.agent).edit_presence_update("viewing")
        self.assertEqual(info["presences"], [])
        presence = self.env["ticket.edit.presence"]
        self.assertEqual(presence.search_count([("ticket_id", "=", ticket.id)]), 1)

    def test_presence_needs_read_access_and_is_vacuumed(self):
        ticket = self._new_ticket()
        with self.assertRaises(AccessError):
            ticket.with_user(self.outsider).edit_presence_update("viewing")
        self.assertFalse(
            self.env["ticket.ticket"]
            .with_user(self.outsider)
            ._edit_channel_tickets([f"{EDIT_CHANNEL_PREFIX}{ticket.id}"])
        )
        ticket.with_user(self.agent).edit_presence_update("viewing")
        row = self.env["ticket.edit.presence"].search([("ticket_id", "=", ticket.id)])
        self.env.cr.execute(
            "UPDATE ticket_edit_presence SET write_date = now() - interval '13 hours'"
            " WHERE id = %s",
            [row.id],
        )
        row.invalidate_recordset()
        self.env["ticket.edit.presence"]._gc_stale_presence()
        self.assertFalse(row.exists())


@tagged("post_install", "-at_install", "ticket_system")
class TestEditCollisionChannel(WebsocketCase, EditCollisionCommon):
    def _subscribed_channels(self, login, ticket):
        self.authenticate(login, login)
        websocket = self.websocket_connect(
            cookie=f"session_id={self.session.sid}",
        )
        self.subscribe(
            websocket,
            [f"{EDIT_CHANNEL_PREFIX}{ticket.id}"],
            self.env["bus.bus"]._bus_last_id(),
        )
        return websocket

    def test_only_readers_subscribe_to_the_ticket_channel(self):
        ticket = self._new_ticket()
        channel = (
            self.env.registry.db_name,
            "ticket.ticket",
            ticket.id,
            "edit_presence",
        )
        outsider_ws = self._subscribed_channels("edit_otto", ticket)
        self.assertNotIn(channel, dispatch._channels_to_ws)
        outsider_ws.close()
        self.wait_remaining_websocket_connections()
        self._subscribed_channels("edit_anna", ticket)
        self.assertIn(channel, dispatch._channels_to_ws)


@tagged("post_install", "-at_install", "ticket_system")
class TestEditCollisionUi(HttpCase, EditCollisionCommon):
    def _edit_channel(self, ticket):
        return hashable(
            channel_with_db(self.registry.db_name, (ticket, "edit_presence"))
        )

    def _save_as_anna_once_gina_looks(self, ticket):
        """Anna saves a change as soon as Gina's form has loaded the ticket
        and listens on its channel, and the bus is told, as a real commit
        would. Anna saves through HTTP in her own session: the server
        serialises her request with Gina's on the test cursor. The helper
        thread never touches the test cursor itself (the test's own thread
        uses it unlocked, e.g. while start_tour logs Gina in)."""
        # Anna's session, kept next to Gina's: start_tour replaces self.session
        anna_sid = self.authenticate(self.agent_anna.login, self.agent_anna.login).sid
        self.session = None
        url = f"{self.base_url()}/web/dataset/call_kw/ticket.ticket/write"
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "model": "ticket.ticket",
                "method": "write",
                "args": [[ticket.id], {"priority": "2"}],
                "kwargs": {},
            },
        }
        channel = self._edit_channel(ticket)
        done = threading.Event()
        errors = []

        def anna_saves():
            try:
                # Gina's form subscribes to the ticket's channel once it has
                # loaded the ticket: the moment Anna may save (a server-side
                # fact, read in memory, no database access)
                deadline = time.monotonic() + 60
                while not dispatch._channels_to_ws.get(channel):
                    if done.is_set() or time.monotonic() > deadline:
                        return
                    time.sleep(0.1)
                with requests.Session() as anna:
                    anna.cookies["session_id"] = anna_sid
                    # the key of the running browser_js: other requests are refused
                    anna.cookies[TEST_CURSOR_COOKIE_NAME] = self.http_request_key
                    response = anna.post(url, json=payload, timeout=60)
                response.raise_for_status()
                if "error" in response.json():
                    raise AssertionError(response.json()["error"])
                # the response came back: her request's cursor is closed
                self._dispatch_bus(ticket)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        thread = threading.Thread(target=anna_saves, name="anna_saves")
        thread.start()
        return done, thread, errors

    def _dispatch_bus(self, ticket):
        # the test's transaction never commits: wake the websockets by hand
        for websocket in list(
            dispatch._channels_to_ws.get(self._edit_channel(ticket), [])
        ):
            websocket.trigger_notification_dispatching()

    def test_edit_collision_tour(self):
        ticket = self._new_ticket()
        # the ticket was last written a minute ago (a test's clock stands still)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ticket_ticket SET write_date = write_date - interval '1 minute'"
            " WHERE id = %s",
            [ticket.id],
        )
        ticket.invalidate_recordset()
        # Anna has the ticket open with unsaved changes
        ticket.with_user(self.agent_anna).edit_presence_update("editing")
        done, thread, errors = self._save_as_anna_once_gina_looks(ticket)
        try:
            self.start_tour(
                f"/odoo/action-ticket_system.ticket_ticket_action/{ticket.id}",
                "ticket_system_edit_collision_tour",
                login=self.agent.login,
            )
        finally:
            done.set()
            thread.join()
        self.assertFalse(errors, "Anna's save through HTTP failed")
        ticket.invalidate_recordset()
        self.assertEqual(ticket.name, "Paket fehlt", "Gina's stale save was refused")
        self.assertEqual(ticket.priority, "2")
        self.assertEqual(ticket.edit_uid, self.agent_anna)
