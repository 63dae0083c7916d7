"""Staff accounts in the admin: the "Add a staff member" page for site admins, set-password links, and the
user admin with roles shown, staff status kept in step with roles, and "take off the desk" in place of deletion.

What a role gives and how accounts are made is in ``articles.staff``; who may manage staff, in ``permissions``.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import PasswordResetCompleteView, PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.template.response import TemplateResponse
from django.urls import path, reverse_lazy

from .. import permissions, staff
from ..models import Author

User = get_user_model()


class StaffMemberForm(forms.Form):
    required_css_class = "required"

    name = forms.CharField(max_length=150, help_text="As it should appear on their byline.")
    email = forms.EmailField(help_text="Their work address; it also gives them their login name.")
    role = forms.ChoiceField(
        choices=staff.ROLES, widget=forms.RadioSelect(attrs={"class": "radiolist"}), initial=staff.WRITER
    )
    byline = forms.ChoiceField(
        choices=[
            ("new", "Create a byline with their name"),
            ("existing", "Link a byline that already exists (such as one imported)"),
            ("none", "No byline (they do not write)"),
        ],
        widget=forms.RadioSelect(attrs={"class": "radiolist"}),
        initial="new",
    )
    author = forms.ModelChoiceField(
        Author.objects.filter(user=None),
        required=False,
        label="Existing byline",
        help_text="Only bylines not yet linked to a login are listed.",
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        taken = User.objects.filter(email__iexact=email).first()
        if taken is not None:
            raise forms.ValidationError(f"There is already an account for this address (login “{taken}”).")
        return email

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("byline") == "existing" and not cleaned_data.get("author"):
            self.add_error("author", "Choose the byline to link, or create a new one.")
        return cleaned_data


class SetPasswordView(PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("admin:auth_user_set_password_done")
    extra_context = {"site_header": "Newsroom", "site_title": "Newsroom admin"}


class SetPasswordDoneView(PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
    extra_context = {"site_header": "Newsroom", "site_title": "Newsroom admin"}


class BylineInline(admin.StackedInline):
    """The account's byline on the user page, so it is linked (or made) where the account is."""

    model = Author
    fields = ["name", "job_title", "email"]
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = "byline (the author this login writes as)"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "email", "role", "is_active", "last_login"]
    list_filter = ["is_active", "is_superuser", "groups"]
    actions = ["take_off_desk"]
    change_list_template = "admin/auth/user/staff_change_list.html"
    inlines = [BylineInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # Django's add form asks for the login only

    def get_urls(self):
        return [
            path("add-staff/", self.admin_site.admin_view(self.add_staff_view), name="auth_user_add_staff"),
            # Opened by the new staff member, before they can sign in: not behind the admin's login.
            path("set-password/done/", SetPasswordDoneView.as_view(), name="auth_user_set_password_done"),
            path("set-password/<uidb64>/<token>/", SetPasswordView.as_view(), name="auth_user_set_password"),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="name", ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description="role")
    def role(self, obj):
        return dict(staff.ROLES).get(staff.role_of(obj), "—").split(":")[0]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # people are taken off the desk, not deleted (see below)
        return actions

    def has_delete_permission(self, request, obj=None):
        """Someone with a byline or a history entry is taken off the desk instead, keeping who wrote what."""
        if obj is not None and (Author.objects.filter(user=obj).exists() or _has_history(obj)):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="Take off the desk (they can no longer sign in; bylines and history stay)")
    def take_off_desk(self, request, queryset):
        if not permissions.can_manage_staff(request.user):
            raise PermissionDenied
        count = staff.take_off_desk(queryset.exclude(pk=request.user.pk))
        self.message_user(request, f"{count} account(s) can no longer sign in. Their bylines and history stay.")

    def save_related(self, request, form, formsets, change):
        user = form.instance
        was_staff = user.is_staff
        super().save_related(request, form, formsets, change)  # the groups: a role's gives staff status
        user.refresh_from_db(fields=["is_staff"])
        if user.is_staff and not was_staff:
            self.message_user(
                request,
                f"{user} can now sign in to the desk: staff status goes with the role you gave them.",
                messages.INFO,
            )

    def add_staff_view(self, request):
        if not permissions.can_manage_staff(request.user):
            raise PermissionDenied
        form = StaffMemberForm(request.POST if request.method == "POST" else None)
        context = {**self.admin_site.each_context(request), "title": "Add a staff member", "opts": self.opts}
        if form.is_valid():
            data = form.cleaned_data
            user = staff.add_staff_member(
                name=data["name"],
                email=data["email"],
                role=data["role"],
                author=data["author"] if data["byline"] == "existing" else None,
                new_byline=data["byline"] == "new",
            )
            link = request.build_absolute_uri(staff.set_password_path(user))
            mailed = self.send_link(user, link)
            days = settings.PASSWORD_RESET_TIMEOUT // 86400
            context.update(
                {"title": "Staff member added", "member": user, "link": link, "mailed": mailed, "link_days": days}
            )
            return TemplateResponse(request, "admin/auth/user/staff_added.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/auth/user/add_staff.html", context)

    @staticmethod
    def send_link(user, link):
        """E-mail the link when the site has a mail server (EMAIL_HOST); True if sent."""
        if not settings.EMAIL_HOST:
            return False
        send_mail(
            f"Your {settings.SITE_NAME} desk account",
            f"Hello {user.get_full_name()},\n\nAn account was made for you on the {settings.SITE_NAME} desk. "
            f"Your login name is {user.get_username()}. Choose your password here (the link works once):\n\n"
            f"{link}\n",
            None,
            [user.email],
        )
        return True


def _has_history(user):
    from ..models import Article

    return Article.history.filter(history_user=user).exists()
