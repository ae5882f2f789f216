"""Text, keyboard and command validation for the fake Bot API server (``server``).

``parse_html`` follows tdlib's ``parse_html`` (same tags, entity rules and error wording), with
one deliberate strictness: a bare ``&`` that is not an entity is rejected. ``detect_entities``
finds what Telegram marks in user text (bot commands, mentions, hashtags, URLs). Offsets and
lengths are in UTF-16 code units, as in the Bot API.
"""

import itertools
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

_SIMPLE = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "u": "underline", "ins": "underline", "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip
_TAGS = {*_SIMPLE, "a", "code", "pre", "blockquote", "tg-emoji"}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]*)|#([0-9]*)|([a-zA-Z]*))")
_SPACE = " \t\r\n\v\f"
_PRIORITY = {
    "blockquote": 0, "expandable_blockquote": 0, "pre": 11, "code": 20, "text_link": 49,
    "bold": 90, "italic": 91, "underline": 92, "strikethrough": 93, "spoiler": 94,
    "custom_emoji": 99,
}  # fmt: skip
_BUTTON_KINDS = ("callback_data", "url", "login_url", "web_app", "switch_inline_query",
                 "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
                 "copy_text", "callback_game", "pay")  # fmt: skip
_DETECTORS = (
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\"'.,:;!?)\]}]")),
    (
        "bot_command",
        re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])"),
    ),
    ("mention", re.compile(r"(?<!\w)@[A-Za-z0-9_]{4,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w\u200c])#[\w\u200c]{1,256}(?![\w\u200c]*#)")),
)


class ApiError(ValueError):
    """A Bot API error answer (also raised by push helpers given impossible input)."""

    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.code, self.description = code, description


class HtmlError(ValueError):
    """Invalid markup; ``str(error)`` is tdlib's description (without the Bot API prefix)."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def sort_entities(entities: list[dict]) -> list[dict]:
    """Order entities like Telegram: by offset, longer first, then by type priority."""
    return sorted(
        entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50))
    )


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    match = _ENTITY.match(text, pos)
    assert match is not None
    hex_digits, dec_digits, name = match.groups()
    if name is not None:
        char = _NAMED.get(name)
    else:
        digits = hex_digits if hex_digits is not None else dec_digits
        code = int(digits, 16 if hex_digits is not None else 10) if digits else 0
        if 0xD800 <= code <= 0xDFFF:
            raise HtmlError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        char = chr(code) if 0 < code < 0x10FFFF and match.end() - pos < 10 else None
    if char is None:
        return None
    end = match.end()
    return char, end + 1 if text.startswith(";", end) else end


def _checked_link(url: str) -> str | None:
    if "://" not in url:
        if "." not in url or any(c in url for c in _SPACE):
            return None
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https", "tg", "ton") or not parts.netloc:
        return None
    if parts.scheme.lower() in ("http", "https") and not parts.path:
        parts = parts._replace(path="/")
    return urlunsplit(parts)


def _at(html: str, k: int) -> str:
    return html[k] if k < len(html) else "\0"  # tdlib reads the C string's terminating NUL


def _space(html: str, k: int) -> bool:
    return k >= len(html) or html[k] in _SPACE


def _skip_spaces(html: str, i: int) -> int:
    while i < len(html) and html[i] in _SPACE:
        i += 1
    return i


def _byte(html: str, k: int) -> int:
    return len(html[:k].encode())


def _attribute_value(html: str, i: int) -> tuple[str, int]:
    """Read a name token (lower-cased) or a quoted string (entities decoded) at ``i``."""
    if _at(html, i) not in "'\"":
        begin = i
        while (_at(html, i).isascii() and _at(html, i).isalnum()) or _at(html, i) in ".-":
            i += 1
        if not _space(html, i) and _at(html, i) != ">":
            raise HtmlError(f"Unexpected end of name token at byte offset {_byte(html, begin)}")
        return html[begin:i].lower(), i
    quote, chunks = html[i], []
    i += 1
    while i < len(html) and html[i] != quote:
        decoded = _decode_entity(html, i) if html[i] == "&" else None
        chunks.append(decoded[0] if decoded else html[i])
        i = decoded[1] if decoded else i + 1
    return "".join(chunks), i + (_at(html, i) == quote)


def _start_tag(html: str, begin: int) -> tuple[str, str, int]:
    """Parse the start tag at ``begin``; return its name, argument and the index after it."""
    i = begin + 1
    while not _space(html, i) and html[i] != ">":
        i += 1
    if i >= len(html):
        raise HtmlError(f"Unclosed start tag at byte offset {_byte(html, begin)}")
    tag, argument = html[begin + 1 : i].lower(), ""
    if tag not in _TAGS:
        raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {_byte(html, begin)}')
    while (i := _skip_spaces(html, i)) < len(html) and html[i] != ">":
        name_begin = i
        while not _space(html, i) and html[i] not in "=>":
            i += 1
        name = html[name_begin:i]
        if not name:
            raise HtmlError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte(html, begin)}'
            )
        value, i = "", _skip_spaces(html, i)
        if _at(html, i) == "=":  # a name without "=" is a boolean attribute (expandable)
            i = _skip_spaces(html, i + 1)
            if i >= len(html):
                raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {_byte(html, begin)}')
            value, i = _attribute_value(html, i)
        if (tag, name) in (("a", "href"), ("tg-emoji", "emoji-id")):
            argument = value
        elif (tag, name) == ("code", "class") and value.startswith("language-"):
            argument = value[9:]
        elif (tag, name) == ("span", "class") and value.startswith("tg-"):
            argument = value[3:]
        elif (tag, name) == ("blockquote", "expandable"):
            argument = "1"
    if i >= len(html):
        raise HtmlError(f"Unclosed start tag at byte offset {_byte(html, begin)}")
    if tag == "span" and argument != "spoiler":
        raise HtmlError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte(html, begin)}'
        )
    return tag, argument, i + 1


def _end_tag(html: str, begin: int, open_tag: str) -> int:
    """Check the end tag at ``begin`` closes ``open_tag``; return the index after it."""
    i = begin + 1
    while not _space(html, i) and html[i] != ">":
        i += 1
    name = html[begin + 2 : i].lower()
    i = _skip_spaces(html, i)
    if _at(html, i) != ">":
        raise HtmlError(f"Unclosed end tag at byte offset {_byte(html, begin)}")
    if name and name != open_tag:
        raise HtmlError(
            f'Unmatched end tag at byte offset {_byte(html, begin)}, expected "</{open_tag}>", '
            f'found "</{name}>"'
        )
    return i + 1


def parse_html(html: str) -> tuple[str, list[dict]]:
    """Parse Telegram HTML into plain text and Bot API entities; raise ``HtmlError``."""
    out: list[str] = []
    utf16, i = 0, 0
    stack: list[tuple[str, str, int, int]] = []  # tag, argument, utf16 offset, index in out
    entities: list[dict] = []
    while i < len(html):
        char = html[i]
        if char == "&":
            decoded = _decode_entity(html, i)
            if decoded is None:
                raise HtmlError(f'Unescaped "&" at byte offset {_byte(html, i)}; use &amp;')
            char, i = decoded
        elif char != "<":
            i += 1
        elif _at(html, i + 1) != "/":
            tag, argument, i = _start_tag(html, i)
            stack.append((tag, argument, utf16, len(out)))
            continue
        elif not stack:
            raise HtmlError(f"Unexpected end tag at byte offset {_byte(html, i)}")
        else:
            tag, argument, offset, out_pos = stack.pop()
            i = _end_tag(html, i, tag)
            if utf16 > offset:
                content = "".join(out[out_pos:])
                _add_entity(entities, tag, argument, offset, utf16 - offset, content)
            continue
        out.append(char)
        utf16 += utf16_len(char)
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in entities:
        entity.pop("_language", None)
    return "".join(out), sort_entities(entities)


def _add_entity(
    entities: list[dict], tag: str, argument: str, offset: int, length: int, content: str
) -> None:
    entity: dict = {"type": _SIMPLE.get(tag, tag), "offset": offset, "length": length}
    last = entities[-1] if entities else {}
    same_span = (last.get("offset"), last.get("length")) == (offset, length)
    if tag == "tg-emoji":
        if not argument.isdigit() or int(argument) == 0:
            raise HtmlError("Invalid custom emoji identifier specified")
        entity.update(type="custom_emoji", custom_emoji_id=argument)
    elif tag == "a":
        url = _checked_link(argument or content)
        if url is None:
            return
        entity.update(type="text_link", url=url)
    elif tag == "pre" and same_span and last["type"] == "code" and last.get("_language"):
        last.update(type="pre", language=last.pop("_language"))
        return
    elif tag == "code" and same_span and last["type"] == "pre" and argument:
        last["language"] = argument
        return
    elif tag == "code" and argument:
        entity["_language"] = argument
    elif tag == "blockquote" and argument:
        entity["type"] = "expandable_blockquote"
    entities.append(entity)


def finalize(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Trim surrounding whitespace like Telegram, shifting and clipping the entities."""
    stripped = text.strip(_SPACE)
    shift = utf16_len(text[: len(text) - len(text.lstrip(_SPACE))])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, sort_entities(result)


def detect_entities(text: str) -> list[dict]:
    """Entities Telegram adds to user text: url, bot_command, mention and hashtag."""
    found: list[tuple[int, int, str]] = []
    for kind, pattern in _DETECTORS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "hashtag" and not any(c.isalpha() for c in match.group()):
                continue
            if all(end <= s or start >= e for s, e, _ in found):
                found.append((start, end, kind))
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        for start, end, kind in sorted(found)
    ]


def render_text(params: dict[str, Any]) -> tuple[str, list[dict]]:
    """Validate ``text``/``parse_mode``/``entities`` like sendMessage; return text, entities."""
    raw, mode = str(params.get("text") or ""), str(params.get("parse_mode") or "")
    if mode.lower() == "html":
        try:
            text, entities = parse_html(raw)
        except HtmlError as error:
            raise ApiError(f"Bad Request: can't parse entities: {error}") from None
    elif mode:
        raise ApiError(f"Bad Request: parse_mode {mode!r} is not supported by the fake server")
    else:
        text, entities = raw, list(params.get("entities") or [])
    text, entities = finalize(text, entities)
    if not text:
        raise ApiError("Bad Request: message text is empty")
    if utf16_len(text) > 4096:
        raise ApiError("Bad Request: message is too long")
    return text, entities


def check_markup(params: dict[str, Any]) -> dict | None:
    """Validate ``reply_markup``; return it if it is an inline keyboard (the only echoed kind)."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    rows = (
        markup.get("inline_keyboard", markup.get("keyboard", []))
        if isinstance(markup, dict)
        else None
    )
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError("Bad Request: can't parse reply keyboard markup JSON object")
    inline = "inline_keyboard" in markup
    for button in itertools.chain.from_iterable(rows):
        if not inline:
            if not (button.get("text") if isinstance(button, dict) else button):
                raise ApiError("Bad Request: BUTTON_TEXT_INVALID")
            continue
        if not isinstance(button, dict) or "text" not in button:
            raise ApiError(
                "Bad Request: can't parse inline keyboard button: Can't find field \"text\""
            )
        if not any(button.get(kind) not in (None, "") for kind in _BUTTON_KINDS):
            raise ApiError("Bad Request: can't parse inline keyboard button: "
                           "Text buttons are unallowed in the inline keyboard")  # fmt: skip
        if len(str(button.get("callback_data", "")).encode()) > 64:
            raise ApiError("Bad Request: BUTTON_DATA_INVALID")
        if "url" in button and not re.match(r"(https?|tg)://\S", str(button["url"])):
            raise ApiError("Bad Request: BUTTON_URL_INVALID")
        if not str(button["text"]):
            raise ApiError("Bad Request: BUTTON_TEXT_INVALID")
    return markup if inline else None


def check_commands(params: dict[str, Any]) -> list[dict]:
    """Validate setMyCommands' ``commands``; return them as ``{command, description}`` dicts."""
    raw = params.get("commands") or []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ApiError("Bad Request: can't parse BotCommand array JSON object")
    commands = [{"command": c.get("command"), "description": c.get("description")} for c in raw]
    for item in commands:
        if not re.fullmatch(r"[a-z0-9_]{1,32}", str(item["command"])):
            raise ApiError("Bad Request: BOT_COMMAND_INVALID")
        if not str(item["description"] or "").strip():
            raise ApiError("Bad Request: command description must be non-empty")
        if len(str(item["description"])) > 256:
            raise ApiError("Bad Request: command description is too long")
    return commands
