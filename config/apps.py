from django.apps import AppConfig


class PlatformConfig(AppConfig):
    """The project itself as an app: health, seeding and database commands shared by every app."""

    name = "config"
    label = "platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        from config import access  # noqa: F401  (registers the deploy check of open mounts)

        # After auditlog's own ready() (listed before this app) registered every model.
        from config.audit import (
            clean_audited_fields,
            connect_request_receiver,
            install_command_actor,
        )

        clean_audited_fields()
        install_command_actor()
        connect_request_receiver()
