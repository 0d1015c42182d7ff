"""The offline question bank: 8 categories × 5 questions, most important first in each."""

# (key, text, type, required, options) — `key` names the brief field the answer fills.
BANK: dict[str, list[tuple]] = {
    "basics": [
        ("project_name", "What should the project be called?", "text", True, None),
        ("summary", "Describe in one or two sentences what it must do.", "text", True, None),
        (
            "project_type",
            "What kind of software is it?",
            "select",
            True,
            ["command-line tool", "library", "web API", "web app", "data pipeline"],
        ),
        (
            "problem",
            "Which problem does it solve today, and how is it solved now?",
            "text",
            False,
            None,
        ),
        ("success", "How will you know the project is a success?", "text", False, None),
    ],
    "users": [
        ("target_users", "Who will use it?", "text", True, None),
        (
            "user_count",
            "How many people will use it at the same time?",
            "select",
            False,
            ["just me", "up to 10", "up to 1,000", "more than 1,000"],
        ),
        ("needs_accounts", "Do users need accounts and a login?", "boolean", False, None),
        ("roles", "Which user roles are there and what may each do?", "text", False, None),
        ("accessibility", "Are there accessibility or language requirements?", "text", False, None),
    ],
    "features": [
        ("features", "List the must-have features, separated by commas.", "text", True, None),
        ("nice_to_have", "Which features would be nice to have later?", "text", False, None),
        (
            "entity",
            "What is the main thing the software manages (a task, a note, an order...)?",
            "text",
            False,
            None,
        ),
        ("search", "Do users need to search or filter what they stored?", "boolean", False, None),
        ("notifications", "Should it send notifications or reminders?", "boolean", False, None),
    ],
    "technical": [
        (
            "language",
            "Which programming language should it use?",
            "select",
            True,
            ["Python", "TypeScript", "Go", "Rust", "Java"],
        ),
        ("framework", "Any framework you want (or want to avoid)?", "text", False, None),
        ("python_version", "Which runtime version must it support?", "text", False, None),
        (
            "performance",
            "Are there performance targets (response time, throughput)?",
            "text",
            False,
            None,
        ),
        (
            "constraints",
            "Any technical constraints (offline use, licences, platforms)?",
            "text",
            False,
            None,
        ),
    ],
    "data": [
        (
            "storage",
            "Where should data be stored?",
            "select",
            True,
            ["files (JSON/CSV)", "SQLite", "PostgreSQL", "no persistent data"],
        ),
        ("data_volume", "How much data do you expect after a year?", "text", False, None),
        ("sensitive_data", "Does it handle personal or sensitive data?", "boolean", False, None),
        ("backups", "How should data be backed up and restored?", "text", False, None),
        ("import_export", "Must data be imported or exported (formats)?", "text", False, None),
    ],
    "integrations": [
        ("integrations", "Which external services or APIs must it talk to?", "text", False, None),
        (
            "auth_provider",
            "Should login go through an external identity provider?",
            "boolean",
            False,
            None,
        ),
        ("payments", "Does it take payments?", "boolean", False, None),
        ("webhooks", "Does it need to send or receive webhooks?", "boolean", False, None),
        ("email", "Does it send e-mail?", "boolean", False, None),
    ],
    "quality": [
        (
            "testing",
            "What level of automated testing do you expect?",
            "select",
            True,
            ["unit tests", "unit and integration tests", "full test pyramid"],
        ),
        ("code_style", "Any coding standards or linters to follow?", "text", False, None),
        ("documentation", "What documentation is needed?", "text", False, None),
        ("logging", "What should be logged or monitored?", "text", False, None),
        ("security", "Any specific security requirements?", "text", False, None),
    ],
    "deployment": [
        (
            "deployment",
            "Where will it run?",
            "select",
            True,
            ["local machine", "a server or VM", "containers", "serverless", "not decided"],
        ),
        ("ci", "Should a CI pipeline run the tests?", "boolean", False, None),
        (
            "environments",
            "Which environments are needed (dev, staging, production)?",
            "text",
            False,
            None,
        ),
        ("deadline", "When is the first version needed?", "text", False, None),
        ("budget", "What is the budget for hosting and AI usage per month?", "text", False, None),
    ],
}

CATEGORIES = list(BANK)


def bank_questions(count: int) -> list[dict]:
    """The `count` most important questions (round-robin over categories), grouped by category."""
    order = []  # (rank, category index, position)
    for position in range(max(len(items) for items in BANK.values())):
        for index, category in enumerate(CATEGORIES):
            if position < len(BANK[category]):
                order.append((index, position))
    chosen = sorted(order[:count])
    questions = []
    for number, (index, position) in enumerate(chosen, 1):
        category = CATEGORIES[index]
        key, text, kind, required, options = BANK[category][position]
        question = {
            "id": f"q{number}",
            "text": text,
            "type": kind,
            "required": required,
            "category": category,
        }
        if options:
            question["options"] = list(options)
        question["key"] = key
        questions.append(question)
    return questions
