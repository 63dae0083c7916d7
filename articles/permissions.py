"""Who may do what with articles: the one place the rules are written.

The groups that hold these permissions are in ``roles.py``. Writers create articles and edit their own until
they are published; editors (and site admins) edit, publish, schedule, unpublish and feature any article.
The admin, the Jekyll import and the publishing workflow all ask the functions below.
"""

PUBLISH = "articles.publish_article"
EDIT_ANY = "articles.edit_any_article"
FEATURE = "articles.feature_article"
CHANGE = "articles.change_article"
DELETE = "articles.delete_article"
VIEW = "articles.view_article"


def can_publish(user):
    """Publish, schedule and unpublish any article (and import archives, which can publish)."""
    return user.has_perm(PUBLISH)


def can_edit_any(user):
    return user.has_perm(EDIT_ANY)


def can_feature(user):
    return user.has_perm(FEATURE)


def is_own(user, article):
    """The user created the article or has a byline on it (reads ``article.bylines.all()``, so prefetch it)."""
    return article.created_by_id == user.pk or any(byline.author.user_id == user.pk for byline in article.bylines.all())


def can_edit(user, article):
    """Editors may edit any article; writers their own, until it is published."""
    if not user.has_perm(CHANGE):
        return False
    return can_edit_any(user) or (is_own(user, article) and article.status != article.Status.PUBLISHED)


def can_delete(user, article):
    """The same rule as editing: writers may delete their own articles until they are published."""
    if not user.has_perm(DELETE):
        return False
    return can_edit_any(user) or (is_own(user, article) and article.status != article.Status.PUBLISHED)


def can_view(user, article):
    """See the article and its address: anyone once it is public; before that, editors and its own writers."""
    if article.is_public:
        return True
    if not (user.has_perm(VIEW) or user.has_perm(CHANGE)):
        return False
    return can_edit_any(user) or is_own(user, article)


def can_read_history(user, article):
    """Editors read every article's history; writers that of their own articles."""
    return can_edit_any(user) or is_own(user, article)


def restorable_fields(user):
    """The publishing fields a user may bring back from an old version along with its content.

    The same rule as the change form, where these fields are read-only to writers: editors may restore
    status, publish time, address, hiding and canonical URL, and featuring if they may feature.
    """
    fields = ["status", "published_at", "slug", "hidden", "canonical_url"] if can_publish(user) else []
    return fields + ["featured"] if can_feature(user) else fields


def can_manage_staff(user):
    """Add staff members, give them a role and a byline, and take them off the desk: site admins."""
    return user.is_active and user.is_superuser


def can_manage_live(user):
    """Start and end a story's live coverage, and let writers post on it: editors."""
    return can_edit_any(user)


def can_post_update(user, article):
    """Post a live update: editors on any live story; writers only where an editor allowed it on that story."""
    if not article.is_live or not user.is_active:
        return False
    return can_edit_any(user) or (user.has_perm(CHANGE) and article.live_writers_may_post)


def can_edit_updates(user):
    """Edit or delete a posted update (the change is kept in its history): editors, on any update."""
    return can_edit_any(user)


def can_transition(user, article, to):
    """May the user move the article from its current status to ``to``?

    Publishing, and taking a published article back to draft or review, are editors' work; moving between
    draft and review is for anyone who may edit the article.
    """
    if to == article.Status.PUBLISHED or article.status == article.Status.PUBLISHED:
        return can_publish(user)
    return can_edit(user, article)
