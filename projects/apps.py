from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "YAGO projects"

    def ready(self):
        from projects import signals  # noqa: F401  (connects the price-cache invalidation)
