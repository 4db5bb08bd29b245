"""Provenance as PREMIS 3 XML, written with lxml and valid against the Library of Congress's schema.

A record holds objects (the site as an intellectual entity, each capture as a representation, the
WACZ and the bag's manifests as files), the events that happened to them (capture, each check and
gate, message digest calculation, packing, signing, ingestion into the store, every later fixity
check) and the agents that took part (the organisation, each tool with its version). Event types are
terms of the Library of Congress's vocabulary (id.loc.gov/vocabulary/preservation/eventType).

The schema is ``schemas/premis-v3-0.xsd`` (PREMIS 3.0, kept with its source in schemas/README.md), so
a record is checked without a network. Every write validates first and replaces the file in one
rename, so a record on disk is always complete and valid.
"""

import datetime
import functools
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

NS = "http://www.loc.gov/premis/v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_URL = "https://www.loc.gov/standards/premis/v3/premis-v3-0.xsd"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "premis-v3-0.xsd"
EVENT_TYPES = "http://id.loc.gov/vocabulary/preservation/eventType"
ORDER = ("object", "event", "agent", "rights")  # The schema's order of a record's parts.


class PremisError(Exception):
    """A PREMIS record cannot be read or would not be valid; the message names the file and the fault."""


@dataclass(frozen=True)
class Agent:
    name: str
    kind: str  # "software", "organization" or "person"
    version: str = ""

    @property
    def identifier(self):
        return f"{self.kind}: {self.name}" + (f" {self.version}" if self.version else "")


@dataclass(frozen=True)
class Event:
    type: str  # A term of the LoC eventType vocabulary: "capture", "validation", "fixity check", …
    when: str  # ISO 8601
    detail: str
    outcome: str  # "success", "pass" or "fail"
    notes: tuple = ()  # Outcome details, one line each.
    agents: tuple = ()  # (Agent, role) pairs, e.g. (Agent("bagit", "software", "1.9.0"), "executing program")
    objects: tuple = ()  # (identifier type, identifier value, role) triples
    identifier: str = ""  # A UUID unless given.


@dataclass(frozen=True)
class Object:
    kind: str  # "intellectualEntity", "representation" or "file"
    identifiers: tuple  # (type, value) pairs; the first names the object in events and relationships.
    name: str = ""  # originalName
    size: int | None = None  # files only
    digests: tuple = ()  # (algorithm, hex) pairs, files only
    format: tuple = ("", "")  # (name, version), files only
    part_of: tuple = ()  # (type, value) of the object this one belongs to
    location: str = ""  # Where it is stored (a path or URL)


def now():
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def q(name):
    return f"{{{NS}}}{name}"


def sub(parent, name, text=None, **attributes):
    element = etree.SubElement(parent, q(name), **attributes)
    if text is not None:
        element.text = str(text)
    return element


def object_element(obj):
    element = etree.Element(q("object"), {f"{{{XSI}}}type": obj.kind})
    for kind, value in obj.identifiers:
        identifier = sub(element, "objectIdentifier")
        sub(identifier, "objectIdentifierType", kind)
        sub(identifier, "objectIdentifierValue", value)
    if obj.kind == "file":
        characteristics = sub(element, "objectCharacteristics")
        sub(characteristics, "compositionLevel", 0)
        for algorithm, value in obj.digests:
            fixity = sub(characteristics, "fixity")
            sub(fixity, "messageDigestAlgorithm", algorithm)
            sub(fixity, "messageDigest", value)
        if obj.size is not None:
            sub(characteristics, "size", obj.size)
        designation = sub(sub(characteristics, "format"), "formatDesignation")
        sub(designation, "formatName", obj.format[0] or "unknown")
        if obj.format[1]:
            sub(designation, "formatVersion", obj.format[1])
    if obj.name:
        sub(element, "originalName", obj.name)
    if obj.location and obj.kind != "intellectualEntity":
        location = sub(sub(element, "storage"), "contentLocation")
        sub(location, "contentLocationType", "path")
        sub(location, "contentLocationValue", obj.location)
    if obj.part_of:
        relationship = sub(element, "relationship")
        sub(relationship, "relationshipType", "structural")
        sub(relationship, "relationshipSubType", "is part of")
        related = sub(relationship, "relatedObjectIdentifier")
        sub(related, "relatedObjectIdentifierType", obj.part_of[0])
        sub(related, "relatedObjectIdentifierValue", obj.part_of[1])
    return element


def event_element(event):
    element = etree.Element(q("event"))
    identifier = sub(element, "eventIdentifier")
    sub(identifier, "eventIdentifierType", "UUID")
    sub(identifier, "eventIdentifierValue", event.identifier or str(uuid.uuid4()))
    sub(element, "eventType", event.type, authority="eventType", authorityURI=EVENT_TYPES)
    sub(element, "eventDateTime", event.when)
    sub(sub(element, "eventDetailInformation"), "eventDetail", event.detail)
    outcome = sub(element, "eventOutcomeInformation")
    sub(outcome, "eventOutcome", event.outcome)
    for note in event.notes:
        sub(sub(outcome, "eventOutcomeDetail"), "eventOutcomeDetailNote", note)
    for agent, role in event.agents:
        link = sub(element, "linkingAgentIdentifier")
        sub(link, "linkingAgentIdentifierType", "local")
        sub(link, "linkingAgentIdentifierValue", agent.identifier)
        sub(link, "linkingAgentRole", role)
    for kind, value, role in event.objects:
        link = sub(element, "linkingObjectIdentifier")
        sub(link, "linkingObjectIdentifierType", kind)
        sub(link, "linkingObjectIdentifierValue", value)
        sub(link, "linkingObjectRole", role)
    return element


def agent_element(agent):
    element = etree.Element(q("agent"))
    identifier = sub(element, "agentIdentifier")
    sub(identifier, "agentIdentifierType", "local")
    sub(identifier, "agentIdentifierValue", agent.identifier)
    sub(element, "agentName", agent.name)
    sub(element, "agentType", agent.kind)
    if agent.version:
        sub(element, "agentVersion", agent.version)
    return element


def record(objects, events=()):
    """A new PREMIS record (the lxml root) of ``objects`` and ``events`` with their agents."""
    root = etree.Element(
        q("premis"), {f"{{{XSI}}}schemaLocation": f"{NS} {SCHEMA_URL}"}, nsmap={None: NS, "xsi": XSI}
    )
    root.set("version", "3.0")
    return extend(root, objects, events)


def extend(root, objects=(), events=()):
    """Add objects not already in the record, the events and any agents they name, in the schema's order."""
    parts = {name: [child for child in root if child.tag == q(name)] for name in ORDER}
    known_objects = set(
        root.xpath("p:object/p:objectIdentifier/p:objectIdentifierValue/text()", namespaces={"p": NS})
    )
    known_agents = set(
        root.xpath("p:agent/p:agentIdentifier/p:agentIdentifierValue/text()", namespaces={"p": NS})
    )
    for obj in objects:
        if obj.identifiers[0][1] not in known_objects:
            parts["object"].append(object_element(obj))
            known_objects.add(obj.identifiers[0][1])
    for event in events:
        parts["event"].append(event_element(event))
        for agent, _role in event.agents:
            if agent.identifier not in known_agents:
                parts["agent"].append(agent_element(agent))
                known_agents.add(agent.identifier)
    for child in list(root):
        root.remove(child)
    for name in ORDER:
        root.extend(parts[name])
    return root


@functools.cache
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def problems(root):
    """What makes the record invalid against the PREMIS 3 schema, one line each (none: valid)."""
    premis_schema = schema()
    if premis_schema.validate(root):
        return []
    return [f"line {error.line}: {error.message}" for error in premis_schema.error_log]


def read(path):
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
        return etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise PremisError(f"{path} cannot be read as XML: {exc}") from exc


def check_file(path):
    """Problems with the PREMIS file at ``path``: unreadable, or invalid against the schema."""
    try:
        return problems(read(path))
    except PremisError as exc:
        return [str(exc)]


def write(path, root):
    """Validate ``root`` and write it to ``path``, replacing any file there in one rename."""
    found = problems(root)
    if found:
        raise PremisError(f"The PREMIS record for {path} would not be valid: " + "; ".join(found[:5]))
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(descriptor, "wb") as file:
        file.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def append(path, objects=(), events=()):
    """Add objects and events to the PREMIS file at ``path`` (creating it if there is none)."""
    path = Path(path)
    root = read(path) if path.exists() else record(objects)
    write(path, extend(root, objects, events))


def events(path):
    """The events of the PREMIS file at ``path`` as (type, date and time, outcome) triples, in order."""
    namespaces = {"p": NS}
    return [
        (
            event.findtext("p:eventType", namespaces=namespaces),
            event.findtext("p:eventDateTime", namespaces=namespaces),
            event.findtext("p:eventOutcomeInformation/p:eventOutcome", namespaces=namespaces),
        )
        for event in read(path).findall("p:event", namespaces)
    ]
