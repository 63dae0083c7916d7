"""Build the POST data the article admin form sends, as a browser would."""


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def article_post_data(article=None, **fields):
    data = {
        "headline": article.headline if article else "A new story",
        "slug": article.slug if article else "",
        "standfirst": article.standfirst if article else "Summary.",
        "body": article.body if article else "Body text.",
        "hero_alt": "",
        "hero_caption": "",
        "hero_credit": "",
        "section": str(article.section_id) if article and article.section_id else "",
        "tags": "",
        "status": article.status if article else "draft",
        "meta_description": "",
        "canonical_url": "",
    }
    if article is not None and article.published_at:
        local = article.published_at
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    bylines = list(article.bylines.all()) if article else []
    data.update(inline_management("bylines", total=len(bylines), initial=len(bylines)))
    for index, byline in enumerate(bylines):
        data[f"bylines-{index}-id"] = str(byline.pk)
        data[f"bylines-{index}-article"] = str(article.pk)
        data[f"bylines-{index}-author"] = str(byline.author_id)
        data[f"bylines-{index}-position"] = str(byline.position)
    data.update(inline_management("images"))
    data.update(inline_management("corrections"))
    data.update({key: str(value) for key, value in fields.items()})
    return data
