"""The admin page where editors upload a Jekyll archive (.zip) or a few post files and see the report."""

import tempfile

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from .. import permissions
from .archive import MAX_UPLOAD_BYTES, ArchiveError, extract_zip, remove, save_upload, site_folder
from .importer import Importer
from .report import FileResult


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        if isinstance(data, list | tuple):
            return [clean_one(item, initial) for item in data] or [clean_one(None, initial)]
        return [clean_one(data, initial)]


class JekyllImportForm(forms.Form):
    files = MultipleFileField(
        label="Archive or posts",
        help_text="A .zip of the Jekyll site (with _config.yml, _posts/, _drafts/ and assets/), "
        "or one or more post files (.md, .markdown, .html, .txt).",
    )
    dry_run = forms.BooleanField(
        label="Dry run", required=False, help_text="Show what would happen without saving anything."
    )
    as_drafts = forms.BooleanField(
        label="Import as drafts",
        required=False,
        help_text="New articles wait in review for an editor instead of going live or being scheduled. "
        "Articles imported before keep their status.",
    )
    force = forms.BooleanField(
        label="Overwrite editors' changes",
        required=False,
        help_text="Articles changed in Newsroom since their last import are normally left alone and reported.",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if sum(file.size for file in files) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"Uploads may be at most {MAX_UPLOAD_BYTES // 1_048_576} MB in all.")
        return files


def import_view(request, model_admin):
    """Editors (who may publish) and site admins only: an import can publish articles."""
    if not permissions.can_publish(request.user):
        raise PermissionDenied
    report = None
    form = JekyllImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        options = {name: form.cleaned_data[name] for name in ("dry_run", "force", "as_drafts")}
        report = run_upload(form.cleaned_data["files"], request.user, **options)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import a Jekyll archive",
        "form": form,
        "report": report,
    }
    return TemplateResponse(request, "admin/articles/import_jekyll.html", context)


def run_upload(files, user, dry_run=False, force=False, as_drafts=False):
    folder = tempfile.mkdtemp(prefix="jekyll-import-")
    archive_warnings = []
    try:
        for upload in files:
            if upload.name.lower().endswith(".zip"):
                try:
                    archive_warnings += extract_zip(upload, folder)
                except ArchiveError as error:
                    importer = Importer(dry_run=dry_run, as_drafts=as_drafts)
                    importer.report.add(FileResult(upload.name, "failed", reason=str(error)))
                    return importer.report
            else:
                save_upload(upload, folder)
        root = site_folder(folder)
        importer = Importer(dry_run=dry_run, force=force, as_drafts=as_drafts, user=user, display="key",
                            site_root=root if (root / "_config.yml").exists() else None)  # fmt: skip
        report = importer.run([root])
        report.notes += archive_warnings
        return report
    finally:
        remove(folder)
