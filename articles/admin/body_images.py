"""The body images inline's check that every ``[[image:REF]]`` the body places names an image."""

from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from ..models import ArticleImage
from ..rendering import image_references
from .desk_views import MAX_NEW_IMAGES, NEW_IMAGE


class BodyImageFormSet(BaseInlineFormSet):
    """Refuses the save, naming the reference, when the body places an image the article will not have."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        missing = [
            ref for ref in dict.fromkeys(image_references(self.instance.body)) if ref not in self.refs_after_save()
        ]
        if missing:
            places = ", ".join(f"[[image:{ref}]]" for ref in missing)
            raise ValidationError(
                f"The body places {places}, but the article has no body image with that reference. "
                "Add the image here, or correct the reference in the body.",
                code="unknown_image_reference",
            )

    def refs_after_save(self):
        """The references the article's body images will have once this formset is saved.

        A new image with no reference gets the lowest free number when saved (``ArticleImage.save``), in
        the order of the forms; images saved outside this form (such as uploads made while writing) count, and
        so do images dropped into a story not saved yet, which become 1, 2, ... when it is first saved.
        """
        stored = set()
        if self.instance.pk:
            stored = set(ArticleImage.objects.filter(article_id=self.instance.pk).values_list("ref", flat=True))
        elif self.data:
            dropped = len(self.data.getlist(NEW_IMAGE)[:MAX_NEW_IMAGES])
            stored = {str(number) for number in range(1, dropped + 1)}
        taken, final, blanks = set(stored), set(stored), 0
        for form in self.forms:
            if form.instance.pk is None and not form.has_changed():
                continue
            old_ref = form.initial.get("ref")
            if self.can_delete and self._should_delete_form(form):
                final.discard(old_ref)
                continue
            final.discard(old_ref)
            ref = form.cleaned_data.get("ref")
            if ref:
                taken.add(ref)
                final.add(ref)
            else:
                blanks += 1
        number = 1
        for _ in range(blanks):
            while str(number) in taken:
                number += 1
            taken.add(str(number))
            final.add(str(number))
        return final
