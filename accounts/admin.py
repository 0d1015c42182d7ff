from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts.models import User
from config.admin_scale import ScaledAdmin


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(ScaledAdmin, BaseUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    list_display = ("email", "is_staff", "is_active", "created_at", "last_login")
    # No list filters: is_staff and friends are not indexed, and filtering 100k users on them
    # scans the table (config/tests/test_admin_scale.py); search an exact email instead.
    list_filter = ()
    # The unique email index serves an exact search (and the user autocompletes): 100k users.
    search_fields = ("email__exact",)
    search_help_text = "An exact email."
    ordering = ("email",)
    readonly_fields = ("id", "created_at", "last_login")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("id", "email", "password")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("created_at", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ("groups", "user_permissions")
