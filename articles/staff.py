"""The desk's staff: giving an account a role (and with it the right to sign in), and set-password links.

A role is a group from ``roles.py`` (Writers, Editors) or, for site admins, the superuser flag. Anyone put in
a role's group, by the "Add a staff member" page, the user form, a command or the shell, gets staff status
with it: a Writer who cannot sign in is never what a newsroom means. Taking someone off the desk clears
``is_active`` only, so their bylines and their name in every article's history stay.
"""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Author
from .roles import EDITORS, WRITERS, ensure_roles

User = get_user_model()

WRITER, EDITOR, SITE_ADMIN = "writer", "editor", "site_admin"
ROLES = [
    (WRITER, "Writer: writes articles and edits their own until they are published"),
    (EDITOR, "Editor: edits, publishes, schedules and features any article; corrections, bylines, tags"),
    (SITE_ADMIN, "Site admin: everything, including sections, staff and site settings"),
]
DESK_GROUPS = {WRITER: WRITERS, EDITOR: EDITORS}


def role_of(user):
    if user.is_superuser:
        return SITE_ADMIN
    names = {group.name for group in user.groups.all()}
    return EDITOR if EDITORS in names else WRITER if WRITERS in names else None


def unique_username(email):
    base = re.sub(r"[^a-z0-9._+-]", "", email.split("@")[0].lower())[:140] or "staff"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate


@transaction.atomic
def add_staff_member(*, name, email, role, author=None, new_byline=True):
    """Make a staff account with ``role`` and no password yet; link ``author`` or a new byline. Returns it."""
    first, _, last = name.strip().rpartition(" ")
    user = User(
        username=unique_username(email),
        email=email,
        first_name=first if first else last,
        last_name=last if first else "",
        is_staff=True,
        is_superuser=role == SITE_ADMIN,
    )
    user.set_unusable_password()
    user.save()
    if role in DESK_GROUPS:
        if not Group.objects.filter(name=DESK_GROUPS[role]).exists():
            ensure_roles()  # the groups were deleted (or a test flushed them): make them again, with their rights
        user.groups.add(Group.objects.get(name=DESK_GROUPS[role]))
    if author is not None:
        author.user = user
        author.save()
    elif new_byline:
        Author.objects.create(name=name.strip(), email=email, user=user)
    return user


def set_password_path(user):
    """The path of a one-time link where ``user`` chooses a password (Django's password-reset token).

    The token is void once the password is set (or after PASSWORD_RESET_TIMEOUT, three days by default).
    """
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("admin:auth_user_set_password", kwargs={"uidb64": uidb64, "token": token})


def take_off_desk(users):
    """Stop these accounts signing in; their bylines, articles and history entries stay as they are."""
    return users.update(is_active=False)


@receiver(m2m_changed, sender=User.groups.through)
def _role_gives_staff_status(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    if reverse:  # group.user_set.add(...): ``instance`` is the group
        if instance.name in DESK_GROUPS.values():
            User.objects.filter(pk__in=pk_set, is_staff=False).update(is_staff=True)
        return
    if not instance.is_staff and Group.objects.filter(pk__in=pk_set, name__in=DESK_GROUPS.values()).exists():
        instance.is_staff = True
        User.objects.filter(pk=instance.pk).update(is_staff=True)
