from django import forms
from django.core.exceptions import ValidationError

CONTROL_CHARACTERS = {chr(code) for code in range(32)} | {"\x7f"}


class FollowForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={"invalid": "Enter a valid email address, such as name@example.org."},
    )
    # A honeypot: hidden from people, filled in by bots that fill in every field.
    website = forms.CharField(required=False, max_length=200, label="Leave this empty")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if CONTROL_CHARACTERS.intersection(self.data.get("email", "")):  # "a@b.c\r\nBcc: ..." even at the end
            raise ValidationError("Enter a valid email address, such as name@example.org.", code="invalid")
        local, _, domain = email.rpartition("@")
        return f"{local}@{domain.lower()}"

    @property
    def is_bot(self):
        return bool(self.cleaned_data.get("website"))
