"""Drive the fake Bot API server with a real PTB ``Bot`` and ``Application``."""

import datetime as dtm
import html
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, RetryAfter
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from botapi_fake import BotApiServer

TOKEN = "123456789:AAE-test_token"
CHAT = 4242


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer() as fake:
        fake.push_text(CHAT, CHAT, "hello", first_name="Ann")  # makes the chat known
        yield fake


def make_bot(server: BotApiServer) -> Bot:
    root = server.root_url
    return Bot(TOKEN, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")


def raw_call(server: BotApiServer, token: str, method: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"{server.root_url}/bot{token}/{method}", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])


async def test_get_me(server):
    async with make_bot(server) as bot:
        me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456789, "article_test_bot", True)
    assert (me.can_read_all_group_messages, me.supports_inline_queries) == (False, False)
    assert set(server.calls) == {"getMe"}  # Bot.initialize() calls getMe too


def test_bad_token_and_unknown_method_use_telegram_error_shape(server):
    assert raw_call(server, "not-a-token", "getMe") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert raw_call(server, TOKEN, "sendDice") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    assert [e["error_code"] for e in server.errors] == [401, 404]


async def test_send_message_html_is_parsed_like_telegram(server):
    text = '<b>Hi</b> &amp; <a href="https://example.com">link</a> 😀 <i>x</i> &lt;3'
    async with make_bot(server) as bot:
        message = await bot.send_message(CHAT, text, parse_mode="HTML", reply_markup=keyboard("k"))
    assert message.text == "Hi & link 😀 x <3"
    assert message.from_user.username == "article_test_bot"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 2),
        ("text_link", 5, 4),
        ("italic", 13, 1),  # the emoji is two UTF-16 code units
    ]
    assert message.entities[1].url == "https://example.com/"
    assert message.reply_markup == keyboard("k")
    [record] = server.sent_messages(CHAT)
    assert record["raw_text"] == text and record["parse_mode"] == "HTML"
    assert record["text"] == message.text and record["reply_to_message_id"] is None
    assert record["reply_markup"] == keyboard("k").to_dict()


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("Q&A", 'Unescaped "&" at byte offset 1; use &amp;'),
    ],
)
async def test_invalid_html_is_rejected(server, text, description):
    async with make_bot(server) as bot:
        with pytest.raises(BadRequest, match=r"^Can't parse entities"):
            await bot.send_message(CHAT, text, parse_mode="HTML")
    [error] = server.errors
    assert error == {
        "method": "sendMessage",
        "error_code": 400,
        "description": f"Bad Request: can't parse entities: {description}",
    }
    assert server.sent_messages() == []


async def test_length_empty_text_and_button_data_limits(server):
    async with make_bot(server) as bot:
        await bot.send_message(CHAT, "😀" * 2048)  # exactly 4096 UTF-16 code units
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(CHAT, "a" * 4097)
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(CHAT, "pick", reply_markup=keyboard("é" * 33))  # 66 bytes
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(999, "hi")
    assert [e["description"] for e in server.errors] == [
        "Bad Request: message is too long",
        "Bad Request: message text is empty",
        "Bad Request: BUTTON_DATA_INVALID",
        "Bad Request: chat not found",
    ]
    assert len(server.sent_messages(CHAT)) == 1


async def test_flood_control_surfaces_as_retry_after(server, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    server.fail_next("sendMessage", count=1, retry_after=3)
    async with make_bot(server) as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "first")
        assert caught.value.retry_after == dtm.timedelta(seconds=3)
        await bot.send_message(CHAT, "second")
    assert server.rate_limited_count == 1
    assert [m["text"] for m in server.sent_messages(CHAT)] == ["second"]
    assert server.errors[0]["description"] == "Too Many Requests: retry after 3"


async def test_edits_callbacks_and_long_polling(server):
    async with make_bot(server) as bot:
        [update] = await bot.get_updates(timeout=1)
        assert update.message.text == "hello" and update.message.from_user.first_name == "Ann"
        assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
        started = dtm.datetime.now()
        assert await bot.get_updates(timeout=1) == ()  # blocks for the whole timeout
        assert dtm.datetime.now() - started >= dtm.timedelta(seconds=0.9)

        sent = await bot.send_message(CHAT, "menu", reply_markup=keyboard("next"))
        query_id = server.push_callback(CHAT, CHAT, sent.message_id, "next")
        [update] = await bot.get_updates(timeout=1)
        assert update.callback_query.data == "next" and update.callback_query.id == query_id
        await bot.answer_callback_query(query_id, text="ok")
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query(query_id)

        edited = await bot.edit_message_text("page 2", CHAT, sent.message_id)
        assert edited.text == "page 2" and edited.reply_markup is None  # keyboard removed
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text("page 2", CHAT, sent.message_id)
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("x", CHAT, 9999)
    assert server.callback_answers[0]["text"] == "ok"
    assert [(e["method"], e["text"]) for e in server.edits] == [("editMessageText", "page 2")]
    assert server.message(CHAT, sent.message_id)["text"] == "page 2"


def test_pushed_updates_have_telegram_shape(server, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    group = -100777
    update = server.push_text(group, 7, "/ask@article_test_bot why?", username="ann")
    message = update["message"]
    assert message["chat"] == {"id": group, "type": "supergroup", "title": "Test Group"}
    assert message["from"] == {
        "id": 7,
        "is_bot": False,
        "first_name": "User",
        "language_code": "en",
        "username": "ann",
    }
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 21}]
    reply = server.push_text(group, 7, "ping @article_test_bot", reply_to_message_id=1)
    assert reply["message"]["reply_to_message"]["text"] == "/ask@article_test_bot why?"
    assert reply["message"]["entities"] == [{"type": "mention", "offset": 5, "length": 17}]
    edited = server.push_edited_text(CHAT, CHAT, 1, "hello again")
    assert edited["edited_message"]["text"] == "hello again"
    pushed = [
        update,
        reply,
        edited,
        server.push_sticker(CHAT, CHAT, emoji="🔥"),
        server.push_photo(CHAT, CHAT, caption="look #cats"),
        server.push_voice(CHAT, CHAT, duration=5),
    ]
    parsed = [Update.de_json(raw, None) for raw in pushed]
    assert parsed[2].edited_message.edit_date is not None
    assert parsed[3].message.sticker.emoji == "🔥"
    assert parsed[4].message.photo[-1].width == 1280
    assert parsed[4].message.caption_entities[0].type == "hashtag"
    assert parsed[5].message.voice.duration == dtm.timedelta(seconds=5)
    assert len({u.update_id for u in parsed}) == 6


async def test_bot_replies_embed_the_replied_to_message(server):
    async with make_bot(server) as bot:
        reply = await bot.send_message(CHAT, "answer", reply_to_message_id=1)
        assert reply.reply_to_message.text == "hello"
        with pytest.raises(BadRequest, match="Message to be replied not found"):
            await bot.send_message(CHAT, "answer", reply_to_message_id=99)
    assert server.sent_messages(CHAT)[0]["reply_to_message_id"] == 1


async def test_application_polling_replies_through_handlers(server):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        name = html.escape(update.effective_user.first_name)
        await update.message.reply_text(f"<b>Hi</b> {name}", "HTML", reply_markup=keyboard("go"))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("working")
        await update.callback_query.edit_message_text("Done")

    root = server.root_url
    builder = ApplicationBuilder().token(TOKEN).base_url(f"{root}/bot")
    app = builder.base_file_url(f"{root}/file/bot").build()
    app.add_handlers([CommandHandler("start", start), CallbackQueryHandler(pressed)])
    async with app:
        await app.start()
        await app.updater.start_polling(drop_pending_updates=True)
        try:
            server.push_text(CHAT, CHAT, "/start", first_name="A<n>")
            [reply] = await server.wait_for_messages(CHAT, 1)
            assert reply["text"] == "Hi A<n>" and reply["raw_text"] == "<b>Hi</b> A&lt;n&gt;"
            server.push_callback(CHAT, CHAT, reply["message_id"], "go")
            await server.wait_for(lambda: server.edits)
        finally:
            await app.updater.stop()
            await app.stop()
    assert server.callback_answers[0]["text"] == "working"
    assert server.edits[0]["text"] == "Done"
    assert server.errors == []
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage"} <= set(server.calls)
