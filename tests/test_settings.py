"""Reading the settings from the environment and from a `.env` file."""

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from config import PROJECT_DIR, Settings, invalid_settings

TOKEN = "123456:AAE-secret_token_value"


def test_admin_user_ids_are_parsed_from_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("ADMIN_USER_IDS", "1, 2")
    assert Settings(_env_file=None).admin_user_ids == frozenset({1, 2})


@pytest.mark.parametrize("value", ["", " ", ","])
def test_blank_admin_user_ids_mean_no_admins(monkeypatch, value):
    monkeypatch.setenv("ADMIN_USER_IDS", value)
    assert Settings(_env_file=None).admin_user_ids == frozenset()


def test_non_numeric_admin_user_id_is_rejected(monkeypatch):
    monkeypatch.setenv("ADMIN_USER_IDS", "1, alice")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


@pytest.mark.parametrize("value", ["", "   "])
def test_blank_telegram_bot_token_is_none(monkeypatch, value):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", value)
    assert Settings(_env_file=None).telegram_bot_token is None


def test_token_is_a_secret_hidden_from_repr_and_str(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = Settings(_env_file=None)
    assert isinstance(settings.telegram_bot_token, SecretStr)
    assert settings.telegram_bot_token.get_secret_value() == TOKEN
    for shown in (repr(settings.telegram_bot_token), repr(settings), str(settings)):
        assert TOKEN not in shown
        assert "secret_token" not in shown


def test_settings_are_read_from_a_dotenv_file(tmp_path, monkeypatch):
    for name in ("TELEGRAM_BOT_TOKEN", "ADMIN_USER_IDS", "TOP_K", "INDEX_DIR"):
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_USER_IDS=7, 8\nTOP_K=5\nINDEX_DIR=/srv/index\n"
        "WEBHOOK_URL=\n",
        encoding="utf-8",
    )
    settings = Settings(_env_file=env_file)
    assert settings.telegram_bot_token.get_secret_value() == TOKEN
    assert settings.admin_user_ids == frozenset({7, 8})
    assert settings.top_k == 5
    assert settings.index_dir == Path("/srv/index")
    assert settings.webhook_url is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TOP_K", "0"),
        ("TOP_K", "11"),
        ("MAX_QUESTION_CHARS", "5"),
        ("LOG_LEVEL", "verbose"),
        ("STATS_RETENTION_DAYS", "0"),
    ],
)
def test_out_of_range_values_are_rejected_in_one_line_naming_the_setting(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as rejected:
        Settings(_env_file=None)
    [line] = invalid_settings(rejected.value)
    assert line.startswith(f"{name}: ") and repr(value) in line and "\n" not in line


def test_each_bad_setting_gets_its_line_and_secrets_are_not_echoed(monkeypatch):
    monkeypatch.setenv("ADMIN_USER_IDS", "1, alice")
    monkeypatch.setenv("WEBHOOK_PORT", "eighty")
    lines = invalid_settings(_rejection(Settings, _env_file=None))
    assert sorted(lines) == [
        "ADMIN_USER_IDS: expected numeric user ids separated by commas (got '1, alice')",
        "WEBHOOK_PORT: input should be a valid integer, unable to parse string as an integer"
        " (got 'eighty')",
    ]
    monkeypatch.delenv("ADMIN_USER_IDS")
    monkeypatch.delenv("WEBHOOK_PORT")
    secret_line = invalid_settings(_rejection(Settings, _env_file=None, telegram_bot_token=12345))
    assert secret_line == ["TELEGRAM_BOT_TOKEN: input should be a valid string"]


def _rejection(model, **values) -> ValidationError:
    with pytest.raises(ValidationError) as rejected:
        model(**values)
    return rejected.value


@pytest.mark.parametrize("value", ["info", "Debug", " warning "])
def test_log_level_is_case_insensitive(monkeypatch, value):
    monkeypatch.setenv("LOG_LEVEL", value)
    assert Settings(_env_file=None).log_level == value.strip().upper()


def test_default_paths_are_in_the_project_folder_wherever_the_bot_starts(monkeypatch, tmp_path):
    for name in ("ARTICLE_PATH", "INDEX_DIR", "MODEL_CACHE_DIR", "DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None)
    assert settings.article_path == PROJECT_DIR / "data" / "article.txt"
    assert settings.article_path.is_file()
    for path in (settings.index_dir, settings.model_cache_dir, settings.data_dir):
        assert path.is_absolute() and path.is_relative_to(PROJECT_DIR)


def test_env_example_documents_every_setting_and_loads_as_is(monkeypatch):
    example = Path(__file__).resolve().parents[1] / ".env.example"
    text = example.read_text()
    assert [name for name in Settings.model_fields if f"\n{name.upper()}=" not in text] == []
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    assert Settings(_env_file=example).telegram_bot_token is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("e5,minilm", ("e5", "minilm")), ("MiniLM", ("minilm",)), (" e5 ", ("e5",))],
)
def test_embedders_are_chosen_by_a_comma_separated_list(monkeypatch, value, expected):
    monkeypatch.setenv("EMBEDDERS", value)
    assert Settings(_env_file=None).embedders == expected


@pytest.mark.parametrize("value", ["", "e5,e5", "bert"])
def test_a_bad_embedders_list_is_one_line_naming_the_setting(monkeypatch, value):
    monkeypatch.setenv("EMBEDDERS", value)
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)
    lines = invalid_settings(caught.value)
    assert len(lines) == 1 and "EMBEDDERS" in lines[0]
