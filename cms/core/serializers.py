"""API fields that show related people and organisations in full instead of bare ids."""

from rest_framework.fields import Field


class PersonField(Field):
    def to_representation(self, person):
        return person.api_representation()


class OrganisationField(Field):
    def to_representation(self, organisation):
        return organisation.api_representation()


class OrganisationListField(Field):
    """A many-to-many of organisations, in name order."""

    def to_representation(self, organisations):
        return [organisation.api_representation() for organisation in organisations.all()]


class TagNamesField(Field):
    """Tag names, as Wagtail's TagsField gives, from a list of tags (so a prefetch can serve them)."""

    def to_representation(self, tags):
        return [tag.name for tag in tags]
