from django.apps import AppConfig


class PlatformConfig(AppConfig):
    """The project itself as an app: health, seeding and database commands shared by every app."""

    name = "config"
    label = "platform"
    verbose_name = "Platform"
