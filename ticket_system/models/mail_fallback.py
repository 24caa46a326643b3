"""Read what Python's ``email`` package or Odoo's gateway cannot read.

Plain functions used by the ``mail.thread`` inherit (see ``message_parse``
there). They only run for a mail that failed to parse or shows a defect:
normal mail costs a walk over its parts and a few string checks.

What degrades how:

* a text part whose charset is unknown to Python (``x-unknown``, a name with
  a NUL byte) or lying (bytes the declared charset cannot decode) is decoded
  with the declared charset (cleaned), else the one ``chardet`` detects, else
  latin-1, and re-encoded as UTF-8;
* a multipart part whose boundary is never found (cut off, missing) becomes
  a text part holding its raw text;
* a header Python's parser trips over is read as its raw text;
* a date with a two- or three-digit year is read as RFC 5322 says (24 ->
  2024, 124 -> 2024); a date still unreadable becomes the arrival time;
* Windows-1252 text labelled ISO-8859-1 (its dashes, quotes and euro sign
  would be invisible control characters) is read as Windows-1252;
* a subject or sender written in raw 8-bit bytes instead of RFC 2047 words
  is read again from its raw text (see mail_thread_hostile).
"""

import base64
import codecs
import contextlib
import email.header
import email.policy
import logging
import re

import chardet

from odoo import fields

_logger = logging.getLogger(__name__)

# below this confidence chardet's guess loses against latin-1
CHARDET_MIN_CONFIDENCE = 0.5
REPLACEMENT_CHARACTER = "\ufffd"
UNPADDED_YEAR = re.compile(r"^\s*(\d{1,3})-(\d{1,2})-(\d{1,2})(.*)$")
FOLDING = re.compile(r"\r?\n[ \t]+")
# C1 control characters are never text: mail programs label Windows-1252 as
# ISO-8859-1, whose bytes 0x80-0x9f are controls where Windows-1252 has
# "–", "„", "“", "€" ...; read them as Windows-1252, as browsers do
C1_CONTROLS = re.compile("[\x80-\x9f]")
WINDOWS_1252 = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)  # undefined in Windows-1252
}
WINDOWS_1252_FIELDS = ("subject", "email_from", "from", "body")


class LenientPolicy(email.policy.EmailPolicy):
    """Odoo's SMTP policy, except that a header the parser trips over (e.g.
    ``Message-ID: <@>`` or ``From: <"``: IndexError inside the email package)
    is returned as its raw, unfolded text instead of raising."""

    def header_fetch_parse(self, name, value):
        try:
            return super().header_fetch_parse(name, value)
        except Exception:  # noqa: BLE001 - any parser bug: keep the raw text
            return raw_header_text(value)


LENIENT_POLICY = LenientPolicy(linesep="\r\n")


def raw_header_text(value):
    """The text of a header value as received: unfolded, RFC 2047 words
    decoded where possible, undecodable bytes replaced."""
    text = FOLDING.sub(" ", str(value or "")).strip()
    try:
        text = str(email.header.make_header(email.header.decode_header(text)))
    except Exception:  # noqa: BLE001 - broken encoded words: keep them as they are
        _logger.debug("Undecodable header kept raw: %r", text)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _codec(name):
    """The codec of a charset name, or None: unknown names and names with
    control characters (``utf-8\\0``) give None instead of raising."""
    name = "".join(ch for ch in str(name or "") if ch.isprintable()).strip(" \"'")
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def decode_text(data, declared=None):
    """Decode ``data`` (bytes): with the declared charset if it is known and
    fits, else as UTF-8 if it is valid UTF-8, else with the charset chardet
    detects, else as latin-1 (which reads any byte). Returns (text, charset
    used, whether a fallback was needed)."""
    data = data or b""
    codec = _codec(declared) or (None if declared else "ascii")
    if codec:
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode(codec), codec, codec != _codec_strict(declared)
    if codec != "utf-8":
        # valid UTF-8 beyond ASCII is hardly ever an accident
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode("utf-8"), "utf-8", True
    detected = chardet.detect(data)
    guess = _codec(detected.get("encoding"))
    if guess and (detected.get("confidence") or 0) >= CHARDET_MIN_CONFIDENCE:
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode(guess), guess, True
    return data.decode("latin-1", "replace"), "latin-1", True


def _codec_strict(name):
    """The codec of a charset name exactly as declared, or None."""
    try:
        return codecs.lookup(str(name)).name if name else "ascii"
    except (LookupError, ValueError):
        return None


def _set_text(part, text, subtype=None):
    """Make ``part`` a text part holding ``text`` as UTF-8 (base64), keeping
    its other Content-Type parameters (name) and its disposition."""
    if subtype:
        del part["Content-Type"]
        part["Content-Type"] = f"text/{subtype}"
    part.set_param("charset", "utf-8")
    del part["Content-Transfer-Encoding"]
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(base64.encodebytes(text.encode("utf-8")).decode("ascii"))


def use_lenient_headers(message):
    """Read the headers of ``message`` and all its parts leniently."""
    for part in message.walk():
        part.policy = LENIENT_POLICY


def broken_multiparts(message):
    """The multipart parts whose boundary was never found: Python keeps their
    content as a string that Odoo skips (or trips over, for a report)."""
    return [
        part
        for part in message.walk()
        if part.get_content_maintype() == "multipart" and not part.is_multipart()
    ]


def degrade_multiparts(parts):
    """Turn broken multipart parts into text parts with their raw text."""
    for part in parts:
        data = part.get_payload(decode=True) or b""
        text = decode_text(data, part.get_param("charset"))[0]
        _set_text(part, text, subtype="plain")
    return bool(parts)


def repair_charsets(message, only_replaced=False):
    """Re-encode as UTF-8 every text part whose declared charset is unknown or
    does not fit its bytes. ``only_replaced``: only parts that Python decodes
    with replacement characters (the sign of a lying charset). Returns the
    charsets that were replaced."""
    repaired = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        declared = part.get_param("charset")
        if only_replaced and _codec_strict(declared) and declared:
            try:
                if REPLACEMENT_CHARACTER not in part.get_content():
                    continue
            except Exception:  # noqa: BLE001 - unreadable: repaired below
                _logger.debug("Unreadable text part with charset %r", declared)
        data = part.get_payload(decode=True) or b""
        text, used, fallback = decode_text(data, declared)
        if fallback:
            repaired.append(f"{declared!r} -> {used}")
            _set_text(part, text)
    return repaired


def degrade_to_text(message, raw):
    """Last resort: the whole body of the mail as one text part."""
    body = (raw or b"").replace(b"\r\n", b"\n").split(b"\n\n", 1)
    data = body[1] if len(body) == 2 else b""
    text = decode_text(data, None)[0]
    for name in ("Content-Type", "Content-Transfer-Encoding", "Content-Disposition"):
        del message[name]
    message.set_payload("")
    message["Content-Type"] = "text/plain"
    _set_text(message, text)


def has_replacement_characters(msg_dict):
    """Whether the parsed text or a text attachment holds U+FFFD, the mark
    Python leaves where the declared charset did not fit. One substring
    search: normal mail pays nothing else."""
    if REPLACEMENT_CHARACTER in (msg_dict.get("body") or ""):
        return True
    return any(
        isinstance(attachment[1], str) and REPLACEMENT_CHARACTER in attachment[1]
        for attachment in msg_dict.get("attachments") or ()
    )


def repair_windows_1252(msg_dict):
    """Read the C1 control characters of the subject, sender and text as the
    Windows-1252 characters they were meant to be. One regex search per
    field: normal mail pays nothing else."""
    for key in WINDOWS_1252_FIELDS:
        value = msg_dict.get(key)
        if isinstance(value, str) and C1_CONTROLS.search(value):
            msg_dict[key] = value.translate(WINDOWS_1252)


def repair_date(msg_dict, arrival=None):
    """Make ``msg_dict['date']`` a date Odoo can store and read again. Odoo
    writes a two- or three-digit year unpadded ('124-05-06 08:08:00'), which
    it cannot read back; such a year is read as RFC 5322 §4.3 says (< 50:
    + 2000, else + 1900); what still is no date becomes the arrival time.
    Returns a reason when the date was repaired, else None."""
    value = msg_dict.get("date")
    if not value:
        return None
    arrival = arrival or fields.Datetime.now()
    match = UNPADDED_YEAR.match(value)
    if match:
        year = int(match.group(1))
        year += 2000 if year < 50 else 1900
        month, day, rest = int(match.group(2)), int(match.group(3)), match.group(4)
        value = f"{year:04d}-{month:02d}-{day:02d}{rest}"
    try:
        date = fields.Datetime.to_datetime(value)
    except ValueError:
        date = None
    if date is None or date.year < 1000:
        date = arrival
    repaired = fields.Datetime.to_string(date)
    if repaired == msg_dict["date"]:
        return None
    reason = f"date {msg_dict['date']!r} -> {repaired}"
    msg_dict["date"] = repaired
    return reason
