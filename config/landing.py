"""What the landing page at `/` and the mount roots say about the five apps: one declaration."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from markdown_it import MarkdownIt


@dataclass(frozen=True)
class MountedApp:
    slug: str  # the mount (`/<slug>/`), the OpenAPI tag and the docs page's name
    name: str
    purpose: str
    folder: str  # where its code and README live

    @property
    def mount(self) -> str:
        return f"/{self.slug}/"

    @property
    def docs(self) -> str:
        return f"/docs/{self.slug}"

    @property
    def api_docs(self) -> str:
        return f"/api/docs/#/{self.slug}"

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "mount": self.mount,
            "purpose": self.purpose,
            "docs": self.docs,
            "api_docs": self.api_docs,
        }


APPS = (
    MountedApp("luna", "Luna", "Venue discovery with friends (iOS app).", "venues"),
    MountedApp("pupmatch", "PupMatch", "Playdate matching for dogs.", "matching"),
    MountedApp("yago", "YAGO", "AI project generator (web front end v8.1).", "projects"),
    MountedApp("edgesoul", "EdgeSoul", "An emotional companion's long-term memory.", "memory"),
    MountedApp("learning", "Learning", "A child's Chinese and English learning profile.", "memory"),
)
APPS_BY_SLUG = {app.slug: app for app in APPS}

LINKS = {
    "api_docs": "/api/docs/",
    "api_schema": "/api/schema/",
    "admin": "/admin/",
    "health": "/healthz",
}

# Raw HTML in the READMEs is not passed through: the page shows only what Markdown produces.
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def landing_document() -> dict:
    return {
        "message": "Backend: Luna · PupMatch · YAGO · EdgeSoul · Learning",
        "apps": [app.as_dict() for app in APPS],
        "links": LINKS,
    }


def readme_html(app: MountedApp) -> str:
    """The app's README rendered to HTML (the README is part of the code, read on each call)."""
    return _markdown.render((Path(settings.BASE_DIR) / app.folder / "README.md").read_text())
