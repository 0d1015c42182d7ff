import factory
from factory.django import DjangoModelFactory

from projects.models import (
    ClarificationSession,
    GeneratedFile,
    Project,
    ProviderUsage,
)
from projects.providers.questions import bank_questions


class UserFactory(DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    description = factory.LazyAttribute(lambda project: project.name)
    brief = factory.LazyAttribute(lambda project: {"project_idea": project.name})
    config = factory.LazyFunction(dict)


class GeneratedFileFactory(DjangoModelFactory):
    class Meta:
        model = GeneratedFile

    project = factory.SubFactory(ProjectFactory)
    path = factory.Sequence(lambda n: f"pkg/module_{n}.py")
    file_type = "python"
    content = "print('hello')\n"
    size = 15
    lines = 1
    checksum = "0" * 64


class ProviderUsageFactory(DjangoModelFactory):
    class Meta:
        model = ProviderUsage

    project = factory.SubFactory(ProjectFactory)
    provider = "openai"
    model = "gpt-4o"
    request_type = "generate_project"
    tokens_in = 1000
    tokens_out = 2000
    cost = "0.022500"
    duration_ms = 1500


class ClarificationSessionFactory(DjangoModelFactory):
    class Meta:
        model = ClarificationSession

    project_idea = "Track team tasks"
    depth = "minimal"
    questions = factory.LazyFunction(lambda: bank_questions(10))
    total_questions = 10
