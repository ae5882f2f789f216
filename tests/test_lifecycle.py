"""Serving options derived from the settings."""

from tgbot.lifecycle import webhook_options

SECRET = "webhook-s3cret"


def test_webhook_options_carry_the_secret_and_the_path(settings_factory):
    settings = settings_factory(webhook_url="https://example.org/hook/x", webhook_secret=SECRET)
    options = webhook_options(settings)
    assert options["secret_token"] == SECRET and options["url_path"] == "hook/x"
