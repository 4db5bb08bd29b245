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
    from case_studies.models import CaseStudyPage
    from resources.models import LearningProgrammePage, SessionPage
    from site_pages.models import NewsReleasePage

    publisher = {"@type": "Organization", "name": site_name, "url": site_url}
    common = {
        "url": url,
        "description": page.meta_description,
        "image": image_url,
    }

    if isinstance(page, NewsReleasePage):
        data = {
            **common,
            "@type": "NewsArticle",
            "headline": page.title,
            "datePublished": _iso(page.release_date),
            "publisher": publisher,
            "about": [event(block.value, publisher) for block in page.event],
            "mentions": [organisation(org) for org in page.get_partner_organisations()],
        }
    elif isinstance(page, CaseStudyPage):
        programme = page.related_programme
        data = {
            **common,
            "@type": "Article",
            "headline": page.title,
            "datePublished": _iso(page.publication_date),
            "author": person(page.author),
            "publisher": publisher,
            "keywords": [topic.name for topic in page.get_topics()],
            "about": {"@type": "Course", "name": programme.title, "url": programme.full_url}
            if programme and programme.live
            else None,
        }
    elif isinstance(page, LearningProgrammePage):
        data = {
            **common,
            "@type": "Course",
            "name": page.title,
            "provider": organisation(page.provider),
            "contributor": [organisation(org) for org in page.get_partner_organisations()],
            "audience": {"@type": "Audience", "audienceType": page.audience},
            "datePublished": _iso(page.launch_date),
            "teaches": [outcome.text for outcome in page.get_learning_outcomes()],
            "hasCourseInstance": [session_instance(session) for session in page.get_sessions()],
        }
    elif isinstance(page, SessionPage):
        data = {
            **common,
            **session_instance(page),
            "description": page.meta_description,
            "audience": {"@type": "Audience", "audienceType": page.effective_audience},
            "instructor": [person(speaker.person) for speaker in page.get_speakers()],
        }
    else:
        data = {
            **common,
            "@type": "WebPage",
            "name": page.title,
            "isPartOf": {"@type": "WebSite", "name": site_name, "url": site_url},
        }
    return _compact({"@context": SCHEMA, "@type": data.pop("@type"), **data})


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
