"""Admin pages of both packages; Django imports this module, each package registers its own."""

from .edgesoul import admin as edgesoul_admin  # noqa: F401
from .learning import admin as learning_admin  # noqa: F401
