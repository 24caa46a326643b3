"""Keep hostile mail harmless: plain functions used by the ``mail.thread``
inherit in mail_thread_hostile.py. Each one looks at a mail only as far as
needed to see whether it applies: normal mail pays a few substring searches.

What is made harmless how:

* deeply nested multiparts (Python's parser recurses once per level and
  fails with RecursionError near 1,000 levels) are flattened, before Python
  parses the mail, into one multipart/mixed holding all their leaf parts;
* thousands of addresses in To/Cc (Python's address parser needs seconds
  per thousand) are cut to the first few before Odoo parses them, keeping
  the addresses of our own aliases for the routing;
* NUL bytes (PostgreSQL refuses them in text) are removed from every text
  the gateway stores;
* header text Python decodes with replacement characters (raw 8-bit bytes,
  broken or mislabelled RFC 2047 encoded words) is decoded leniently;
* TNEF (``winmail.dat`` of Outlook/Exchange): the files inside are read
  with a small, bounded reader and added as attachments of their own;
* a calendar invitation (text/calendar) becomes an ``.ics`` attachment and,
  when the mail has no other text, a short readable summary.
"""

import base64
import binascii
import codecs
import logging
import quopri
import re
import struct
from email.parser import BytesHeaderParser
from email.policy import compat32

_logger = logging.getLogger(__name__)

# ---- DEEP NESTING ----
# more multipart containers than this in one mail: flatten it. Normal mail
# has one to five; Python's parser fails near 1,000 nested levels
MAX_MULTIPARTS = 50
MULTIPART_DECLARATION = re.compile(rb"content-type:[ \t]*multipart/", re.I)
HEAD_END = re.compile(rb"\r?\n\r?\n")
# ---- MANY RECIPIENTS ----
ADDRESS_HEADERS = ("To", "Cc", "Resent-To", "Resent-Cc", "Delivered-To")
# addresses kept of a To/Cc header that names more than MAX_ADDRESSES
MAX_ADDRESSES = 50
ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# ---- HEADERS ----
ENCODED_WORD = re.compile(
    r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=(?:[ \t\r\n]+(?==\?[^?\s]+\?[bBqQ]\?))?"
)
REPLACEMENT = "\ufffd"
# ---- TNEF ----
TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"
TNEF_MAX_ATTACHMENTS = 100
ATT_ATTACH_REND_DATA = 0x9002  # starts an attachment
ATT_ATTACH_TITLE = 0x8010  # its short (8.3) file name
ATT_ATTACH_DATA = 0x800F  # its content
ATT_ATTACHMENT = 0x9005  # its MAPI properties (the long file name)
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_FILENAME = 0x3704
PR_DISPLAY_NAME = 0x3001
MAPI_FIXED_SIZES = {
    0x0001: 0,  # null
    0x0002: 4,  # short, padded
    0x0003: 4,
    0x0004: 4,
    0x0005: 8,
    0x0006: 8,
    0x0007: 8,
    0x000A: 4,
    0x000B: 4,  # boolean, padded
    0x0014: 8,
    0x0040: 8,  # systime
    0x0048: 16,  # clsid
}
MAPI_VARIABLE = (0x001E, 0x001F, 0x0102, 0x000D)
# ---- CALENDAR ----
ICS_FILENAME = "invite.ics"
ICS_LINE = re.compile(r"^([A-Z-]+)(?:;[^:\r\n]*)?:(.*)$", re.M)
ICS_FOLDING = re.compile(r"\r?\n[ \t]")


# ------------------------------------------------------------
# DEEP NESTING
# ------------------------------------------------------------


def deeply_nested(raw):
    """Whether the raw mail declares more multipart containers than any
    normal mail does (a bounded scan: it stops at MAX_MULTIPARTS + 1)."""
    if not isinstance(raw, bytes):
        return False
    for count, _match in enumerate(MULTIPART_DECLARATION.finditer(raw), start=1):
        if count > MAX_MULTIPARTS:
            return True
    return False


def _split_head(data):
    """(head, body) of a part: the head ends at the first empty line."""
    if data.startswith((b"\r\n", b"\n")):
        return b"", data.split(b"\n", 1)[1]
    match = HEAD_END.search(data)
    if not match:
        return data, b""
    return data[: match.start()], data[match.end() :]


def _split_multipart(body, boundary):
    """The parts of a multipart body between its boundary lines (preamble
    and epilogue dropped); a missing close delimiter ends at the end."""
    delimiter = re.compile(
        rb"(?:^|\r?\n)--" + re.escape(boundary) + rb"(--)?[ \t]*(?:\r?\n|$)"
    )
    parts, start = [], None
    for match in delimiter.finditer(body):
        if start is not None:
            parts.append(body[start : match.start()])
        if match.group(1):
            return parts
        start = match.end()
    if start is not None:
        parts.append(body[start:])
    return parts


def flatten_multiparts(raw):
    """The mail with all its leaf parts directly under one multipart/mixed,
    read without recursion (a stack of parts); the top-level headers stay
    as they are but for the Content-Type. A mail forwarded inside
    (message/rfc822) is kept as an .eml file: parsing it would recurse
    again. Returns None when the mail is no multipart."""
    parser = BytesHeaderParser(policy=compat32)
    head, body = _split_head(raw)
    top = parser.parsebytes(head + b"\r\n\r\n")
    if top.get_content_maintype() != "multipart" or not top.get_boundary():
        return None
    leaves, stack = [], [(head, body)]
    while stack:
        part_head, part_body = stack.pop()
        part = parser.parsebytes(part_head + b"\r\n\r\n")
        boundary = part.get_boundary()
        if part.get_content_maintype() == "multipart" and boundary:
            children = _split_multipart(part_body, boundary.encode("latin-1"))
            stack.extend(_split_head(child) for child in reversed(children))
            continue
        if part.get_content_type() == "message/rfc822":
            part_head = (
                b"Content-Type: application/octet-stream\r\n"
                b'Content-Disposition: attachment; filename="message.eml"'
            )
        leaves.append(part_head + b"\r\n\r\n" + part_body)
    boundary = b"=_flat_" + binascii.hexlify(struct.pack(">I", len(leaves) + 7))
    while any(boundary in leaf for leaf in leaves):
        boundary += b"_"
    kept = [
        line
        for line in re.split(rb"\r?\n(?![ \t])", head)
        if not line.lower().startswith(
            (b"content-type:", b"content-transfer-encoding:")
        )
    ]
    kept.append(b'Content-Type: multipart/mixed; boundary="' + boundary + b'"')
    out = [b"\r\n".join(kept), b"\r\n\r\n"]
    for leaf in leaves:
        out += [b"--", boundary, b"\r\n", leaf, b"\r\n"]
    out += [b"--", boundary, b"--\r\n"]
    return b"".join(out)


# ------------------------------------------------------------
# MANY RECIPIENTS
# ------------------------------------------------------------


def address_overflow(message):
    """{header name: [addresses]} of the address headers of ``message``
    that name more than MAX_ADDRESSES addresses, read from their raw text
    (no header parsing: that is what takes seconds)."""
    found = {}
    for name in ADDRESS_HEADERS:
        raw = [
            value for key, value in message.raw_items() if key.lower() == name.lower()
        ]
        if not raw or sum(str(value).count("@") for value in raw) <= MAX_ADDRESSES:
            continue
        found[name] = ADDRESS.findall(" ".join(str(value) for value in raw))
    return found


def cap_addresses(message, overflow, keep):
    """Cut each overflowing address header of ``message`` to its first
    MAX_ADDRESSES addresses plus those in ``keep`` (our own aliases, which
    route the mail). Returns the number of addresses named in all."""
    total = 0
    for name, addresses in overflow.items():
        total += len(addresses)
        kept = addresses[:MAX_ADDRESSES]
        kept += [a for a in addresses[MAX_ADDRESSES:] if a.lower() in keep]
        del message[name]
        message[name] = ", ".join(kept)
    return total


# ------------------------------------------------------------
# NUL BYTES AND HEADER TEXT
# ------------------------------------------------------------


def strip_nul(msg_dict):
    """Remove NUL characters from the texts of ``msg_dict`` (PostgreSQL
    refuses them in text columns). Returns whether there were any."""
    found = False
    for key, value in list(msg_dict.items()):
        if isinstance(value, str) and "\x00" in value:
            msg_dict[key] = value.replace("\x00", "")
            found = True
    attachments = msg_dict.get("attachments") or []
    for index, attachment in enumerate(attachments):
        name, content = attachment[0], attachment[1]
        clean_name = name.replace("\x00", "") if isinstance(name, str) else name
        clean_content = content
        if isinstance(content, str) and "\x00" in content:
            # a text attachment is stored as text; its bytes stay in the original
            clean_content = content.replace("\x00", "")
        if clean_name is not name or clean_content is not content:
            if clean_name != name or clean_content != content:
                found = True
                attachments[index] = attachment._replace(
                    fname=clean_name, content=clean_content
                )
    return found


def _windows_1252(error):
    """Decoding error handler: bytes that are no UTF-8 are read as
    Windows-1252 (latin-1 where it has no character): a header mixing both,
    as mail programs write them, reads right."""
    bad = error.object[error.start : error.end]
    text = "".join(
        chr(byte).encode("latin-1").decode("cp1252", "ignore") or chr(byte)
        for byte in bad
    )
    return text, error.end


codecs.register_error("ticket_windows_1252", _windows_1252)


def _decode_bytes(data, declared=None):
    """Text of header bytes: the declared charset if it fits, else UTF-8
    with the bytes that are no UTF-8 read as Windows-1252 (what raw 8-bit
    headers mostly are)."""
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            _logger.debug("Header charset %r does not fit", declared)
    return data.decode("utf-8", "ticket_windows_1252")


def _decode_word(match):
    charset, encoding, text = match.group(1), match.group(2).lower(), match.group(3)
    charset = charset.split("*", 1)[0]  # RFC 2231 language suffix
    try:
        if encoding == "b":
            data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        else:
            data = quopri.decodestring(
                text.replace("_", " ").encode("ascii"), header=True
            )
    except (binascii.Error, ValueError, UnicodeEncodeError):
        # not decodable: keep the word as it was written
        return match.group(0)
    return _decode_bytes(data, charset)


def decode_header_leniently(raw_value):
    """Text of a raw header value (a str, 8-bit bytes kept as surrogate
    escapes by Python's parser): unfolded, 8-bit text decoded as UTF-8 or
    Windows-1252, RFC 2047 words decoded with their charset if it fits,
    else as UTF-8 or Windows-1252; broken words stay as written."""
    value = re.sub(r"\r?\n[ \t]+", " ", str(raw_value or "")).strip()
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = value.encode("utf-8", "replace")
    value = _decode_bytes(data)
    return ENCODED_WORD.sub(_decode_word, value).replace("\x00", "")


# ------------------------------------------------------------
# TNEF (winmail.dat)
# ------------------------------------------------------------


def is_tnef(content):
    return isinstance(content, bytes) and content[:4] == TNEF_SIGNATURE


def _mapi_string(data, prop_type):
    if prop_type == 0x001F:
        return data.decode("utf-16-le", "replace").split("\x00", 1)[0]
    return _decode_bytes(data.split(b"\x00", 1)[0])


def _mapi_filename(data):
    """The long file name in an attAttachment MAPI property block, or ''.
    Stops at the first property it cannot size (named properties of
    unknown shape, multi-valued properties)."""
    names, pos = {}, 4
    count = struct.unpack_from("<I", data, 0)[0] if len(data) >= 4 else 0
    for _index in range(min(count, 1000)):
        if pos + 4 > len(data):
            break
        prop_type, prop_id = struct.unpack_from("<HH", data, pos)
        pos += 4
        if prop_id >= 0x8000:  # named property: GUID, kind, id or name
            pos += 16
            kind = struct.unpack_from("<I", data, pos)[0]
            pos += 4
            if kind == 0:
                pos += 4
            else:
                length = struct.unpack_from("<I", data, pos)[0]
                pos += 4 + length + (-length % 4)
        if prop_type & 0x1000:
            break
        if prop_type in MAPI_VARIABLE:
            values = struct.unpack_from("<I", data, pos)[0]
            pos += 4
            for _value in range(min(values, 1000)):
                length = struct.unpack_from("<I", data, pos)[0]
                pos += 4
                value = data[pos : pos + length]
                pos += length + (-length % 4)
                if prop_id in (
                    PR_ATTACH_LONG_FILENAME,
                    PR_ATTACH_FILENAME,
                    PR_DISPLAY_NAME,
                ):
                    if prop_type in (0x001E, 0x001F):
                        names.setdefault(prop_id, _mapi_string(value, prop_type))
        elif prop_type in MAPI_FIXED_SIZES:
            pos += MAPI_FIXED_SIZES[prop_type]
        else:
            break
    return (
        names.get(PR_ATTACH_LONG_FILENAME)
        or names.get(PR_ATTACH_FILENAME)
        or names.get(PR_DISPLAY_NAME)
        or ""
    )


def tnef_files(data):
    """The files inside a TNEF stream (winmail.dat) as [(name, bytes)]:
    read attribute by attribute with bounds checks, at most
    TNEF_MAX_ATTACHMENTS files, never more bytes than the stream holds.
    Whatever cannot be read ends the reading (the files found so far are
    returned); the winmail.dat itself stays attached anyway."""
    files = []
    if not is_tnef(data):
        return files
    pos, size = 6, len(data)
    current = None
    try:
        while pos + 9 <= size:
            level = data[pos]
            attribute, length = struct.unpack_from("<II", data, pos + 1)
            start = pos + 9
            end = start + length
            if end + 2 > size:
                break
            pos = end + 2  # checksum
            if level != 2:
                continue
            attribute_id = attribute & 0xFFFF
            if attribute_id == ATT_ATTACH_REND_DATA:
                if len(files) >= TNEF_MAX_ATTACHMENTS:
                    break
                current = {"name": "", "long_name": "", "data": None}
                files.append(current)
            elif current is None:
                continue
            elif attribute_id == ATT_ATTACH_TITLE:
                current["name"] = _decode_bytes(data[start:end].split(b"\x00", 1)[0])
            elif attribute_id == ATT_ATTACH_DATA:
                current["data"] = data[start:end]
            elif attribute_id == ATT_ATTACHMENT:
                try:
                    current["long_name"] = _mapi_filename(data[start:end])
                except struct.error:
                    _logger.debug("TNEF: unreadable attachment properties")
    except struct.error:
        _logger.debug("TNEF: stream ends early")
    result = []
    for index, found in enumerate(files, start=1):
        if found["data"] is None:
            continue
        name = found["long_name"] or found["name"] or f"attachment-{index}"
        name = name.replace("/", "_").replace("\\", "_").replace("\x00", "").strip()
        result.append((name or f"attachment-{index}", found["data"]))
    return result


# ------------------------------------------------------------
# CALENDAR INVITATIONS
# ------------------------------------------------------------


def ics_fields(text):
    """SUMMARY, DTSTART, DTEND, LOCATION and ORGANIZER of the first event of
    an iCalendar text (unfolded, escapes undone)."""
    text = ICS_FOLDING.sub("", text or "")
    found = {}
    for name, value in ICS_LINE.findall(text):
        if name in ("SUMMARY", "DTSTART", "DTEND", "LOCATION", "ORGANIZER"):
            value = value.strip().replace("\\n", " ").replace("\\,", ",")
            value = value.replace("\\;", ";").replace("\\\\", "\\")
            if name == "ORGANIZER" and value.lower().startswith("mailto:"):
                value = value[7:]
            found.setdefault(name, value[:500])
    return found


def ics_date(value):
    """A DTSTART/DTEND value (20261210T100000Z, 20261210) as readable text."""
    match = re.match(
        r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})\d{0,2})?(Z?)", value or ""
    )
    if not match:
        return value or ""
    year, month, day, hour, minute, utc = match.groups()
    text = f"{day}.{month}.{year}"
    if hour:
        text += f" {hour}:{minute}" + (" UTC" if utc else "")
    return text


# ------------------------------------------------------------
# SIZES
# ------------------------------------------------------------


def content_size(content):
    """Size in bytes of an attachment's content as parsed (bytes, or text
    for text attachments; text is encoded only when it may be over a
    megabyte)."""
    if isinstance(content, str):
        return (
            len(content.encode("utf-8")) if len(content) * 4 > 1 << 20 else len(content)
        )
    return len(content or b"")


def megabytes(size):
    """A size in bytes as MB for people: 31, 1.5, 0.2."""
    value = size / (1 << 20)
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
