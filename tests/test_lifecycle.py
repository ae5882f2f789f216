"""Serving options and start-up warnings derived from the settings."""

from tgbot.lifecycle import warn_about, webhook_options

SECRET = "webhook-s3cret"


def test_webhook_options_carry_the_secret_and_the_path(settings_factory):
    settings = settings_factory(webhook_url="https://example.org/hook/x", webhook_secret=SECRET)
    options = webhook_options(settings)
    assert options["secret_token"] == SECRET and options["url_path"] == "hook/x"


def test_risky_settings_are_warned_about(settings_factory, caplog):
    warn_about(settings_factory(webhook_url="https://example.org/hook", admin_user_ids=""))
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2
    assert "WEBHOOK_SECRET" in warnings[0] and "ADMIN_USER_IDS" in warnings[1]


def test_safe_settings_get_no_warning(settings_factory, caplog):
    settings = settings_factory(
        webhook_url="https://example.org/hook", webhook_secret=SECRET, admin_user_ids="7"
    )
    warn_about(settings)
    assert caplog.records == []
