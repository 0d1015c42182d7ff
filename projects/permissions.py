"""Who may call the front-end routes (yago-frontend.md): one permission class per policy.

Today they follow the existing `YAGO_REQUIRE_AUTH` switch (projects.selectors.auth_required);
with `YAGO_ACCESS` they become: `YagoPublic` readable without a user, `YagoUser` needs one,
`YagoStaff` needs a staff account. Views pick a policy through their base class, never inline.
"""

from rest_framework.permissions import BasePermission

from projects.selectors import auth_required


class YagoPublic(BasePermission):
    """Catalogs and health routes: the gallery and the model picker show before login."""

    def has_permission(self, request, view) -> bool:
        return True


class YagoUser(BasePermission):
    """Everything that writes or reports on someone's projects and usage."""

    def has_permission(self, request, view) -> bool:
        return not auth_required() or bool(request.user and request.user.is_authenticated)


class YagoStaff(BasePermission):
    """Provider status: it reveals which keys are configured."""

    def has_permission(self, request, view) -> bool:
        if not auth_required():
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
