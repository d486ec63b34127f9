"""The shared benchmark peer's settings (production SQLite OPTIONS) plus the tfb app and templates."""
from benchsite.settings import *  # noqa: F401,F403

INSTALLED_APPS = ["bench", "tfb"]
ROOT_URLCONF = "tfbsite.urls"
WSGI_APPLICATION = "tfbsite.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": True},
    }
]
