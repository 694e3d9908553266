"""The web tests' fixtures (an app around a test database, cheap password hashing) for the jobs tests."""

from tests.web.conftest import app_for, quick_password_hashing, web_settings

__all__ = ["app_for", "quick_password_hashing", "web_settings"]
