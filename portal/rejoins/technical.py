"""The technical joining data of a re-join, read from the spreadsheet Kela compiles from the old units'
joining data: one row per connection point or system (or both) of a service.

Columns (any order; the names in Finnish, Swedish or English, any case):

| column | fi | sv | en |
|---|---|---|---|
| service | palvelu | tjänst | service |
| connection point OID | liityntäpisteen oid | anslutningspunktens oid | connection point oid |
| connection point name | liityntäpisteen nimi | anslutningspunktens namn | connection point name |
| system | järjestelmä | system | system |
| vendor | toimittaja | leverantör | vendor |
| version | versio | version | version |

The service is its key (``patient_archive``) or its name in any of the three languages. A connection point
or a system named twice for the same service is kept once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale

from portal.applications.catalogue import SERVICES
from portal.identifiers import is_valid_oid
from portal.orgunits.files import Limits, UnreadableFile, read_upload
from portal.texts import lazy_gettext as _l

COLUMNS = {
    "service": ("palvelu", "tjänst", "service"),
    "point_oid": ("liityntäpisteen oid", "anslutningspunktens oid", "connection point oid"),
    "point_name": ("liityntäpisteen nimi", "anslutningspunktens namn", "connection point name"),
    "product": ("järjestelmä", "system"),
    "vendor": ("toimittaja", "leverantör", "vendor"),
    "version": ("versio", "version"),
}
KEY_BY_NAME = {name: key for key, names in COLUMNS.items() for name in names}
# The file Kela fills in (offered for download): the Finnish header and two example rows.
TEMPLATE_CSV = (
    ";".join(names[0] for names in COLUMNS.values())
    + "\r\npatient_archive;1.2.246.10.12345678.10.1;Liityntäpiste;Potilastietojärjestelmä;Toimittaja Oy;1.0"
    + "\r\neprescription;;;Reseptijärjestelmä;Toimittaja Oy;2.1\r\n"
)
LIMITS = Limits(max_bytes=2 * 1024 * 1024, max_rows=5_000, max_columns=50)
MAX_TEXT = 200


@dataclass(frozen=True)
class RowProblem:
    row: int | None  # the spreadsheet's row number; None for the file as a whole
    message: Any  # lazy string


@dataclass
class Technical:
    """Per service key: {"points": [{oid, name}], "systems": [{product, vendor, version}]}."""

    services: dict[str, dict[str, list[dict[str, str]]]] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)

    def counts(self) -> dict[str, tuple[int, int]]:
        return {key: (len(v["points"]), len(v["systems"])) for key, v in self.services.items()}


def service_names() -> dict[str, str]:
    """Every way a service may be written in the file (casefolded) → its key."""
    names = {s.key.casefold(): s.key for s in SERVICES}
    for language in ("fi", "sv", "en"):
        with force_locale(language):
            names.update({str(s.name).casefold(): s.key for s in SERVICES})
    return names


def read_technical(data: bytes, limits: Limits = LIMITS) -> Technical:
    """The technical data in the file, with what is wrong in it row by row (nothing is kept of a row
    with a problem)."""
    found = Technical()
    try:
        parsed = read_upload(data, limits, KEY_BY_NAME)
    except UnreadableFile as exc:
        found.problems.append(RowProblem(None, exc.problem.message))
        return found
    index: dict[str, int] = {}
    for i, name in enumerate(parsed.header):
        key = KEY_BY_NAME.get(name.strip().casefold())
        if key is not None and key not in index:
            index[key] = i
    missing = [key for key in COLUMNS if key not in index]
    if missing:
        found.problems.append(
            RowProblem(
                parsed.header_row,
                _l(
                    "The header row lacks the columns: %(columns)s.",
                    columns=", ".join(COLUMNS[key][0] for key in missing),
                ),
            )
        )
        return found
    names = service_names()
    for number, row in zip(parsed.row_numbers, parsed.rows, strict=True):
        values = {key: row[i].strip() for key, i in index.items()}
        problem = _row_problem(values, names)
        if problem is not None:
            found.problems.append(RowProblem(number, problem))
            continue
        data_of = found.services.setdefault(
            names[values["service"].casefold()], {"points": [], "systems": []}
        )
        if values["point_oid"]:
            point = {"oid": values["point_oid"], "name": values["point_name"]}
            if all(p["oid"] != point["oid"] for p in data_of["points"]):
                data_of["points"].append(point)
        if values["product"]:
            system = {k: values[k] for k in ("product", "vendor", "version")}
            if system not in data_of["systems"]:
                data_of["systems"].append(system)
    return found


def _row_problem(values: dict[str, str], names: dict[str, str]) -> Any:
    if not values["service"]:
        return _l("Give the service.")
    if values["service"].casefold() not in names:
        return _l(
            "The service %(service)s is not one of the Kanta services. Write one of: %(services)s.",
            service=values["service"][:MAX_TEXT],
            services=", ".join(s.key for s in SERVICES),
        )
    if any(len(value) > MAX_TEXT for value in values.values()):
        return _l("A value is too long: each can be at most %(limit)d characters.", limit=MAX_TEXT)
    has_point = bool(values["point_oid"] or values["point_name"])
    system = [values[k] for k in ("product", "vendor", "version")]
    if not has_point and not any(system):
        return _l("Give a connection point, a system or both.")
    if has_point and not values["point_oid"]:
        return _l("Give the connection point's OID.")
    if has_point and not is_valid_oid(values["point_oid"]):
        return _l(
            "The connection point OID %(oid)s is not valid: it is numbers separated by dots, "
            "such as 1.2.246.10.12345678.10.1, with no leading zeros.",
            oid=values["point_oid"],
        )
    if has_point and not values["point_name"]:
        return _l("Give the connection point's name.")
    if any(system) and not all(system):
        return _l("Give the system's name, vendor and version.")
    return None
