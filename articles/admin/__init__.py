"""The editors' admin: articles (with their bulk actions and edit-conflict check), sections, authors, redirects,
tags (django-taggit's admin, scoped to the tags each user may see, with a merge page that moves articles).

Importing this package registers every model admin. Who may do what is asked of ``articles.permissions``;
what a status change does, of ``articles.workflow``.
"""

from . import articles, people, redirects, sections, staff, tags  # noqa: F401 - they register their model admins
