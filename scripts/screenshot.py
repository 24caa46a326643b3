"""Screenshot an Odoo page as a logged-in user, in headless Chromium.

For looking at views the way a user sees them (German and English):

    python3 scripts/screenshot.py --db ticket_demo --lang de_DE \\
        --url /odoo/action-ticket_system.ticket_ticket_action/1 --out form_de.png \\
        [--js "document.querySelector('.o_notebook .nav-link:nth-child(2)').click()"]

Logs in over JSON-RPC (sets the user's language), hands the session cookie to
Chromium through the DevTools protocol (websocket-client, in requirements.txt),
opens the page at 1440x900 (--size), optionally runs JavaScript, and saves a PNG.
"""

import argparse
import base64
import http.cookiejar
import json
import subprocess
import tempfile
import time
import urllib.request

import websocket

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def rpc(opener, url, params):
    request = urllib.request.Request(
        url,
        json.dumps({"params": params}).encode(),
        {"Content-Type": "application/json"},
    )
    answer = json.loads(opener.open(request).read())
    if answer.get("error"):
        raise RuntimeError(answer["error"]["data"]["message"])
    return answer["result"]


def login(base, db, user, password, lang):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    uid = rpc(
        opener,
        base + "/web/session/authenticate",
        {"db": db, "login": user, "password": password},
    )["uid"]
    rpc(
        opener,
        base + "/web/dataset/call_kw/res.users/write",
        {
            "model": "res.users",
            "method": "write",
            "args": [[uid], {"lang": lang}],
            "kwargs": {},
        },
    )
    return next(cookie.value for cookie in jar if cookie.name == "session_id")


class DevTools:
    def __init__(self, url):
        self.ws = websocket.create_connection(url, suppress_origin=True)
        self.counter = 0

    def __call__(self, method, **params):
        self.counter += 1
        self.ws.send(
            json.dumps({"id": self.counter, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.counter:
                return message.get("result")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="ticket_demo")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--lang", default="de_DE")
    parser.add_argument("--url", default="/odoo")
    parser.add_argument("--out", required=True)
    parser.add_argument("--js", help="JavaScript to run once the page is loaded")
    parser.add_argument(
        "--wait", type=float, default=5, help="seconds for the page to load"
    )
    parser.add_argument("--port", type=int, default=9333, help="DevTools port")
    parser.add_argument(
        "--size", default="1440x900", help="window size WIDTHxHEIGHT in pixels"
    )
    args = parser.parse_args()
    width, height = (int(pixels) for pixels in args.size.lower().split("x"))

    session = login(args.base, args.db, args.user, args.password, args.lang)
    browser = subprocess.Popen(
        [
            "chromium",
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tempfile.mkdtemp(prefix='ticket-shot-')}",
            f"--remote-debugging-port={args.port}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(100):
            try:
                tabs = json.loads(
                    urllib.request.urlopen(f"http://127.0.0.1:{args.port}/json").read()
                )
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("Chromium did not start")
        page = DevTools(
            next(tab for tab in tabs if tab["type"] == "page")["webSocketDebuggerUrl"]
        )
        host = args.base.split("//", 1)[1].split(":", 1)[0].split("/", 1)[0]
        page("Network.enable")
        page(
            "Network.setCookie", name="session_id", value=session, domain=host, path="/"
        )
        page(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        page("Page.navigate", url=args.base + args.url)
        time.sleep(args.wait)
        if args.js:
            page("Runtime.evaluate", expression=args.js, awaitPromise=True)
            time.sleep(2.5)
        png = page("Page.captureScreenshot", format="png")["data"]
        with open(args.out, "wb") as file:
            file.write(base64.b64decode(png))
        print(f"saved {args.out}")
    finally:
        browser.kill()


if __name__ == "__main__":
    main()
