"""schema.org descriptions of every page type, built as plain dicts in one place and output as JSON-LD."""

import datetime

from django.utils import timezone

SCHEMA = "https://schema.org"


def _compact(value):
    """Drop empty values (None, "", [], {}) at every level, so the output never carries a null."""
    if isinstance(value, dict):
        cleaned = {key: _compact(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list | tuple):
        return [item for item in (_compact(item) for item in value) if item not in (None, "", [], {})]
    return value


def _iso(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return None


def organisation(org):
    if org is None:
        return None
    return {"@type": "Organization", "name": org.name, "url": org.website}


def person(someone):
    if someone is None:
        return None
    return {
        "@type": "Person",
        "name": someone.name,
        "jobTitle": someone.role,
        "worksFor": organisation(someone.organisation),
    }


def event(value, publisher):
    """An EventBlock value as a schema.org Event."""
    online = bool(value.get("joining_url"))
    chair = value.get("chair")
    return {
        "@type": "Event",
        "name": value["title"],
        "startDate": _iso(value.get("start")),
        "endDate": _iso(value.get("end")),
        "eventAttendanceMode": f"{SCHEMA}/OnlineEventAttendanceMode" if online else None,
        "location": {"@type": "VirtualLocation", "url": value["joining_url"]} if online else None,
        "organizer": organisation(chair.organisation) if chair and chair.organisation else publisher,
        "performer": [person(chair)] + [person(speaker) for speaker in value.get("speakers") or []],
    }


def page_structured_data(page, url, site_name, site_url="", image_url=""):
    """The JSON-LD dict for ``page``: NewsArticle, Article, Course, CourseInstance or WebPage."""
    site = {
        "publisher": {"@type": "Organization", "name": site_name, "url": site_url},
        "website": {"@type": "WebSite", "name": site_name, "url": site_url},
    }
    common = {"url": url, "description": page.meta_description, "image": image_url}
    describe = describers().get(type(page).__name__, describe_web_page)
    data = describe(page, common, site)
    return _compact({"@context": SCHEMA, "@type": data.pop("@type"), **data})


def describers():
    """Each page type's describer by class name; other pages are WebPages."""
    return {
        "NewsReleasePage": describe_news_release,
        "CaseStudyPage": describe_case_study,
        "LearningProgrammePage": describe_programme,
        "SessionPage": describe_session,
    }


def describe_news_release(page, common, site):
    publisher = site["publisher"]
    return {
        **common,
        "@type": "NewsArticle",
        "headline": page.title,
        "datePublished": _iso(page.release_date),
        "publisher": publisher,
        "about": [event(block.value, publisher) for block in page.event],
        "mentions": [organisation(org) for org in page.get_partner_organisations()],
    }


def describe_case_study(page, common, site):
    related = page.get_related_programme()
    return {
        **common,
        "@type": "Article",
        "headline": page.title,
        "datePublished": _iso(page.publication_date),
        "author": person(page.author),
        "publisher": site["publisher"],
        "keywords": [topic.name for topic in page.get_topics()],
        "about": {"@type": "Course", "name": related.title, "url": related.full_url} if related else None,
    }


def describe_programme(page, common, site):
    return {
        **common,
        "@type": "Course",
        "name": page.title,
        "provider": organisation(page.provider),
        "contributor": [organisation(org) for org in page.get_partner_organisations()],
        "audience": {"@type": "Audience", "audienceType": page.audience},
        "datePublished": _iso(page.launch_date),
        "teaches": [outcome.text for outcome in page.get_learning_outcomes()],
        "hasCourseInstance": [session_instance(item) for item in page.get_sessions()],
    }


def describe_session(page, common, site):
    return {
        **common,
        **session_instance(page),
        "description": page.meta_description,
        "audience": {"@type": "Audience", "audienceType": page.effective_audience},
        "instructor": [person(speaker.person) for speaker in page.get_speakers()],
    }


def describe_web_page(page, common, site):
    return {**common, "@type": "WebPage", "name": page.title, "isPartOf": site["website"]}


def session_instance(session):
    """A session as a schema.org CourseInstance (itself a kind of Event), with its dates when scheduled."""
    return {
        "@type": "CourseInstance",
        "name": session.title,
        "url": session.full_url,
        "courseMode": "online" if session.session_format != session.Format.WORKSHOP else None,
        "courseWorkload": session.duration_iso,
        "startDate": _iso(session.scheduled_start),
        "endDate": _iso(session.scheduled_end),
    }
