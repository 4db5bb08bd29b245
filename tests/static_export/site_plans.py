"""Random sites for the property tests: a plan drawn by Hypothesis (plain data), built with the ORM
inside the test, in a transaction rolled back after each example.

Every page of a plan carries a token of its own in its title, summary and body, so a test can look
for each page's words in any file, however compressed; slugs never carry one (a live page below a
draft shows its parent's slug in its own URL, which is no leak).
"""

import contextlib
import datetime
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from hypothesis import strategies as st
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction

from case_studies.models import CaseStudyIndexPage, CaseStudyPage
from resources.models import (
    LearningProgrammePage,
    ProgrammeDownload,
    ProgrammeIndexPage,
    ProgrammeLearningOutcome,
    SessionPage,
)
from site_pages.models import HomePageFeaturedPage, NewsIndexPage, NewsReleasePage, StandardPage
from tests.factories import DocumentFactory, document_link, paragraph

# How a page stands: published, or kept from the public in one of Wagtail's ways.
PUBLIC_STATES = ("live", "changed")  # "changed": live, with a later draft that was never published
PRIVATE_STATES = ("draft", "scheduled", "expired", "password", "login", "groups")
RESTRICTIONS = ("password", "login", "groups")  # Private with every page below it.
STATES = PUBLIC_STATES + PRIVATE_STATES

# Each kind of page, the kinds it may hold, and the kinds that may hold it (None: the home page).
CHILD_KINDS = {
    None: ("standard", "news_index", "programme_index", "case_study_index"),
    "standard": ("standard",),
    "news_index": ("news",),
    "programme_index": ("programme",),
    "programme": ("session",),
    "case_study_index": ("case_study",),
    "news": (),
    "session": (),
    "case_study": (),
}
ONE_EACH = {"news_index", "programme_index", "case_study_index"}  # max_count = 1
MOVABLE = {"standard", "session"}  # Kinds that may have a parent of their kind elsewhere to move to.


@dataclass
class PagePlan:
    number: int
    kind: str
    parent: int | None  # Another page's number, or None for the home page
    state: str
    moved_to: int | None = None  # Built under ``parent``, then moved below this page (same kind)
    links: list = field(default_factory=list)  # Pages its body links to (rich text)
    documents: list = field(default_factory=list)  # Documents its body names (block or link)
    related: int | None = None  # A case study's related programme

    @property
    def token(self):
        return f"pgtok{self.number}x"

    @property
    def secret(self):
        """The words of an unpublished draft of a page (``changed``): never public."""
        return f"drafttok{self.number}x"

    @property
    def slug(self):
        return f"page-{self.number}"


@dataclass
class DocumentPlan:
    number: int
    private: bool  # In a collection with a view restriction (or below one)

    @property
    def token(self):
        return f"doctok{self.number}x"


@dataclass
class SitePlan:
    pages: list
    documents: list
    featured: list  # Pages the home page features

    def final_parent(self, plan):
        return plan.moved_to if plan.moved_to is not None else plan.parent

    def ancestors(self, plan):
        """The plans above ``plan`` once moves are made, nearest first."""
        found, parent = [], self.final_parent(plan)
        while parent is not None:
            found.append(self.pages[parent])
            parent = self.final_parent(self.pages[parent])
        return found

    def is_public(self, plan):
        """Live and public: published, not expired or scheduled, and no view restriction on or above it."""
        return plan.state in PUBLIC_STATES and not any(
            above.state in RESTRICTIONS for above in self.ancestors(plan)
        )

    def secrets(self):
        """Tokens that must appear nowhere public: every private page's and document's, and drafts'."""
        tokens = [plan.token for plan in self.pages if not self.is_public(plan)]
        tokens += [plan.secret for plan in self.pages if plan.state == "changed"]
        return tokens + [document.token for document in self.documents if document.private]

    def public_tokens(self):
        return [plan.token for plan in self.pages if self.is_public(plan)]


@st.composite
def site_plans(draw, max_pages=12):
    """A random page tree of every page type, with states, moves, links, documents and features."""
    pages = []
    count = draw(st.integers(min_value=3, max_value=max_pages))
    for number in range(count):
        parents = [None] + [plan.number for plan in pages if CHILD_KINDS[plan.kind]]
        parent = draw(st.sampled_from(parents))
        kinds = CHILD_KINDS[None if parent is None else pages[parent].kind]
        taken = {plan.kind for plan in pages} & ONE_EACH
        kinds = [kind for kind in kinds if kind not in taken]
        if not kinds:
            parent, kinds = None, ["standard"]
        kind = draw(st.sampled_from(kinds))
        # Public pages as often as private ones, so live pages below private ones are common.
        pages.append(PagePlan(number, kind, parent, draw(st.sampled_from(STATES + PUBLIC_STATES * 2))))
    parents = {plan.number: plan.parent for plan in pages}  # As the moves so far leave them
    for plan in pages:
        if plan.kind in MOVABLE:
            plan.moved_to = draw(st.sampled_from([None, *move_targets(pages, plan, parents)]))
            if plan.moved_to is not None:
                parents[plan.number] = plan.moved_to
    for plan in pages:
        plan.links = draw(st.lists(st.sampled_from(range(count)), max_size=2, unique=True))
        if plan.kind == "case_study":
            programmes = [other.number for other in pages if other.kind == "programme"]
            plan.related = draw(st.sampled_from([None, *programmes]))
    documents = [
        DocumentPlan(number, draw(st.booleans()))
        for number in range(draw(st.integers(min_value=0, max_value=3)))
    ]
    for plan in pages:
        if documents:
            plan.documents = draw(st.lists(st.sampled_from(range(len(documents))), max_size=2, unique=True))
    featured = draw(st.lists(st.sampled_from(range(count)), max_size=3, unique=True))
    return SitePlan(pages, documents, featured)


def move_targets(pages, plan, parents):
    """Pages ``plan`` may move below, in the tree as earlier moves left it (``parents``): those that
    may hold its kind, other than its parent, itself and pages below it (a page cannot move into
    its own subtree)."""
    below, grew = {plan.number}, True
    while grew:
        more = {number for number, parent in parents.items() if parent in below} - below
        below, grew = below | more, bool(more)
    return [
        other.number
        for other in pages
        if plan.kind in CHILD_KINDS[other.kind]
        and other.number not in below
        and other.number != parents[plan.number]
    ]


# Building a plan ----------------------------------------------------------------------------------

YESTERDAY = datetime.timedelta(days=-1)
NEXT_WEEK = datetime.timedelta(days=7)


def fields_for(plan, words):
    """The model and the fields of a page of ``plan``'s kind, every text naming ``words``."""
    title = f"Page {plan.number} {words}"
    common = {"title": title, "slug": plan.slug, "summary": f"About {words}.", "seo_title": ""}
    body = [paragraph(f"<p>Body of {words}.</p>")]
    date = datetime.date(2024, 1, 1) + datetime.timedelta(days=plan.number)
    return {
        "standard": (StandardPage, {**common, "body": body}),
        "news_index": (NewsIndexPage, {**common, "intro": f"<p>News of {words}</p>"}),
        "news": (NewsReleasePage, {**common, "release_date": date, "body": body}),
        "programme_index": (ProgrammeIndexPage, {**common, "intro": f"<p>Programmes of {words}</p>"}),
        "programme": (LearningProgrammePage, {**common, "audience": f"People of {words}", "body": body}),
        "session": (
            SessionPage,
            {**common, "number": plan.number + 1, "duration_minutes": 30, "audience": "", "body": body},
        ),
        "case_study_index": (CaseStudyIndexPage, {**common, "intro": f"<p>Cases of {words}</p>"}),
        "case_study": (CaseStudyPage, {**common, "publication_date": date, "body": body}),
    }[plan.kind]


def build_site(site_plan, home):
    """Make the plan's documents and pages under ``home``; returns {page number: page}."""
    documents = build_documents(site_plan.documents)
    pages = {}
    for plan in site_plan.pages:
        parent = home if plan.parent is None else pages[plan.parent]
        model, fields = fields_for(plan, plan.token)
        page = parent.add_child(instance=model(**fields, live=plan.state not in ("draft", "scheduled")))
        if plan.kind == "programme":
            ProgrammeLearningOutcome.objects.create(page=page, text=f"Outcome of {plan.token}")
        pages[plan.number] = page
    for plan in site_plan.pages:
        add_content(plan, pages, documents)
    for plan in site_plan.pages:
        if plan.moved_to is not None:
            target = Page.objects.get(pk=pages[plan.moved_to].pk)  # Fresh: earlier moves change paths.
            Page.objects.get(pk=pages[plan.number].pk).move(target, pos="last-child")
    for plan in site_plan.pages:
        set_state(plan, Page.objects.get(pk=pages[plan.number].pk).specific)
    for order, number in enumerate(site_plan.featured):
        HomePageFeaturedPage.objects.create(home_page=home, page=pages[number], sort_order=order)
    return {number: Page.objects.get(pk=page.pk).specific for number, page in pages.items()}


def build_documents(plans):
    """The documents, each in the root collection or in one below a restricted collection."""
    if not plans:
        return {}
    root = Collection.get_first_root_node()
    restricted = root.add_child(name="Board papers")
    CollectionViewRestriction.objects.create(collection=restricted, restriction_type="login")
    private = restricted.add_child(name="Minutes")
    return {
        plan.number: DocumentFactory(
            collection=private if plan.private else root,
            title=f"Document {plan.number} {plan.token}",
            file__filename=f"{plan.token}.pdf",
            file__data=f"%PDF-1.4 {plan.token}".encode(),
        )
        for plan in plans
    }


def add_content(plan, pages, documents):
    """Links to other pages and documents in the body, downloads, the related programme."""
    page = pages[plan.number]
    if not hasattr(page, "body"):
        return
    links = "".join(f'<a linktype="page" id="{pages[number].pk}">a link</a> ' for number in plan.links)
    blocks = [paragraph(f"<p>Body of {plan.token}. {links}</p>")]
    for number in plan.documents:
        document = documents[number]
        blocks.append(document_link(document))
        blocks.append(paragraph(f'<p><a linktype="document" id="{document.pk}">the papers</a></p>'))
        if plan.kind == "programme":
            ProgrammeDownload.objects.create(page=page, document=document)
    page.body = blocks
    if plan.related is not None:
        page.related_programme = pages[plan.related]
    page.save()


def set_state(plan, page):
    """Publish, schedule, expire, restrict or leave a draft, as an editor would."""
    now = timezone.now()
    if plan.state in ("live", "changed", *RESTRICTIONS):
        page.save_revision().publish()
    if plan.state == "changed":
        page = page.get_latest_revision_as_object()
        model, fields = fields_for(plan, plan.secret)
        for name in ("title", "summary", "body", "intro", "audience"):
            if name in fields and hasattr(page, name):
                setattr(page, name, fields[name])
        page.save_revision()
    elif plan.state == "draft":
        page.save_revision()
    elif plan.state == "scheduled":
        page.go_live_at = now + NEXT_WEEK
        page.save_revision(approved_go_live_at=now + NEXT_WEEK)
    elif plan.state == "expired":
        page.save_revision().publish()
        type(page).objects.filter(pk=page.pk).update(expire_at=now + YESTERDAY)
    if plan.state in RESTRICTIONS:
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=plan.state, password="hunter2" if plan.state == "password" else ""
        )
        if plan.state == "groups":
            from django.contrib.auth.models import Group

            restriction.groups.add(Group.objects.get_or_create(name="Board")[0])


@contextlib.contextmanager
def rolled_back(tmp_path):
    """One example's world: a savepoint rolled back at the end, cold caches (ids repeat after a
    rollback, and Wagtail caches by id), and a folder of its own, removed afterwards."""
    for cache in caches.all():
        cache.clear()
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    try:
        with transaction.atomic():
            yield folder
            transaction.set_rollback(True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
