import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from articles.models import Author

ACCOUNTS = [
    # username, role, author name
    ("admin", None, None),
    ("editor", "Editors", "Priya Shah"),
    ("writer", "Writers", "Mara Jones"),
]


class Command(BaseCommand):
    help = (
        "Make sure the local admin, editor and writer logins exist. Passwords are generated once, kept in "
        ".admin-password (git-ignored) and printed; no password is written in the repository."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password-file", default=str(Path(settings.BASE_DIR) / ".admin-password"))

    def handle(self, *args, password_file, **options):
        path = Path(password_file)
        known = {}
        if path.exists():
            for line in path.read_text().splitlines():
                if ":" in line:
                    name, password = line.split(":", 1)
                    known[name.strip()] = password.strip()
        User = get_user_model()
        for username, role, author_name in ACCOUNTS:
            password = known.get(username) or secrets.token_urlsafe(12)
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            if created or username not in known or not user.check_password(password):
                user.set_password(password)
            user.is_staff = True
            user.is_superuser = role is None
            user.save()
            if role:
                user.groups.add(Group.objects.get(name=role))
            if author_name:
                author = Author.objects.filter(name=author_name).first()
                if author and author.user_id is None:
                    author.user = user
                    author.save()
            known[username] = password
        path.write_text("".join(f"{name}: {password}\n" for name, password in known.items()))
        path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Logins for {settings.SITE_URL}/admin/ (kept in .admin-password):"))
        for username, role, _ in ACCOUNTS:
            self.stdout.write(f"  {username:<7} {known[username]:<20} {role or 'site admin'}")
