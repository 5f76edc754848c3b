"""Hostile but plausible input: what real vendors send on a bad day (``World(hostile=True)``).

Every day of a hostile world's window gets, besides the world's own records, the same corpus
of extra wire records per stream: phone numbers in every shape people type, timestamps at local
midnight and in the hour a daylight-saving change repeats or skips, Cyrillic, emoji, quotes,
tabs, SQL and template fragments in names and UTM tags, negative and absurd durations, numbers
that are words, nulls where values are expected, unknown extra fields, missing fields, a JSON
``null`` in a list of records, ragged TSV rows, and duplicate ids within and across pages
(hostile mode also serves smaller pages and Metrica parts, so duplicates do cross them).

Each record is a ``Case`` with its expected outcome: ``staged`` (normalised; ``checks`` says
what staging and the marts must show) or the quarantine reason the staging models must give.
``expected_quality`` turns the cases, plus the quarantines the ordinary world causes (a
regular customer's CRM contact landed again with every later deal), into the per (day, stream)
numbers ``marts.data_quality`` must show: landed = staged + quarantined, with reasons.

Ids never collide with the world's own: calls ``<day index>90000+k``, deals ``<day index>95000+k``,
contacts ``9_000_000_000 + <day index> x 100 + k``, visits ``9 x 10^18 + ...``, Direct
campaigns ``99000001..``. The one hostile caller is +7 916 555-01-23, a number the world's
random generator does not produce (its ``555-01-xx`` block is kept out of it by this choice).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .journeys import WON, day_index

if TYPE_CHECKING:
    from .world import World

HOSTILE_E164 = "+79165550123"
CALLS, VISITS, DIRECT, LEADS, CONTACTS = ("calltouch/calls", "yandex_metrika/visits", "yandex_direct/campaign_stats",
                                          "amocrm/leads", "amocrm/contacts")
STREAMS = (CALLS, DIRECT, VISITS, LEADS, CONTACTS)

# Smaller pages than the connectors ask for (vendors may cap them), so duplicates cross pages.
CALLTOUCH_PAGE_CAP = 40
AMOCRM_PAGE_CAP = 10
METRIKA_PART_ROWS = 300
METRIKA_EXTRA_FIELD = "ym:s:hostileExtra"  # a column nobody asked for

SQL_FRAGMENT = "'; DROP TABLE marts.fct_calls; --"
QUOTES_EMOJI = 'Весна "скидки" 🌸 O\'Reilly \\ {{ 7*7 }} ${HOME} %s'
TAB_NEWLINE = "кухни\tна\nзаказ 🍳"
ODD_OPERATOR = "O'Brien «Анна» 🎧"


@dataclass
class Case:
    stream: str
    day: date
    name: str
    expect: str  # "staged" or a quarantine reason
    record_id: str | None  # the key the pipeline shows (call_id, visit_id, "date:campaign", lead_id, "contact:phone")
    wire: Any  # dict for JSON APIs and TSV rows, str for a raw (ragged) TSV line, None for a JSON null
    checks: dict = field(default_factory=dict)
    at_end: bool = False  # placed at the end of the day's list (a duplicate on another page)

    def summary(self) -> dict:
        return {"stream": self.stream, "day": self.day.isoformat(), "case": self.name, "expect": self.expect,
                "record_id": self.record_id, "checks": self.checks}


def _unix(local: datetime, tz: ZoneInfo) -> int:
    return int(local.replace(tzinfo=tz).timestamp())


def dst_change_on(day: date, tz: ZoneInfo) -> bool:
    """Whether the zone's UTC offset changes during this local day."""
    start = datetime.combine(day, time(0, 0), tzinfo=tz).utcoffset()
    end = datetime.combine(day, time(23, 59), tzinfo=tz).utcoffset()
    return start != end


# ---- Calltouch --------------------------------------------------------------------------------
PHONE_SHAPES = (  # (case, as typed, E.164 the pipeline must find or None)
    ("phone_8_brackets", "8 (916) 555-01-23", HOSTILE_E164),
    ("phone_plus7_spaces", "+7 916 555 01 23", HOSTILE_E164),
    ("phone_extension_cyrillic", "+7(916)555-01-23 доб. 45", HOSTILE_E164),
    ("phone_dashes_no_plus", "7-916-555-01-23", HOSTILE_E164),
    ("phone_ten_digits", "9165550123", HOSTILE_E164),
    ("phone_words_around", "тел. +7 916 555-01-23", HOSTILE_E164),
    ("phone_extension_latin", "8(916)555-01-23x5", HOSTILE_E164),
    ("phone_empty", "", None),
    ("phone_anonymous", "anonymous", None),
    ("phone_words_only", "не определён", None),
    ("phone_too_short", "+7 916", None),
)


def calltouch_cases(world: World, day: date, *, base_url: str, site_id: str, token: str) -> list[Case]:
    cat = world.catalog
    base_id = day_index(day) * 100_000 + 90_000
    dd = day.strftime("%d/%m/%Y")
    cases: list[Case] = []

    def call(k: int, clock: str, **changes) -> dict:
        call_id = base_id + k
        record = {
            "callId": call_id, "date": f"{dd} {clock}", "callerNumber": "", "phoneNumber": cat.tracking_numbers[0],
            "redirectNumber": cat.centers[0].redirect_number, "duration": 120, "waitingConnect": 10,
            "successful": True, "uniqueCall": True, "targetCall": True, "uniqTargetCall": True, "callbackCall": False,
            "attribution": 1, "manager": ODD_OPERATOR, "sessionId": 0, "yaClientId": "", "source": "yandex",
            "medium": "cpc", "utmSource": "yandex", "utmMedium": "cpc", "utmCampaign": "hostile", "utmContent": "",
            "utmTerm": "", "city": cat.centers[0].name, "hostname": "", "callUrl": "", "yandexDirect": None,
            "callRecordUrl": (f"{base_url}/calls-service/RestAPI/{site_id}/calls-diary/calls/{call_id}/download"
                              f"?clientApiId={token}"),
        }
        record.update(changes)
        return record

    def add(name: str, expect: str, wire: Any, checks: dict | None = None, *, record_id: Any = "auto",
            at_end: bool = False) -> None:
        if record_id == "auto":
            record_id = str(wire["callId"]) if isinstance(wire, dict) and wire.get("callId") is not None else None
        cases.append(Case(CALLS, day, name, expect, record_id, wire, checks or {}, at_end))

    k = 0
    for name, typed, e164 in PHONE_SHAPES:
        k += 1
        add(name, "staged", call(k, f"09:{k:02d}:00", callerNumber=typed),
            {"caller_e164": e164, "call_date": day.isoformat()})
    first_phone = cases[0].wire
    k = 20
    add("time_local_midnight", "staged", call(k + 1, "00:00:00"), {"call_date": day.isoformat()})
    add("time_last_second", "staged", call(k + 2, "23:59:59"), {"call_date": day.isoformat()})
    add("time_dst_hour", "staged", call(k + 3, "02:30:00"),
        {"call_date": day.isoformat(), "dst_change": dst_change_on(day, world.tz)})
    add("time_unparseable", "unparseable_time", call(k + 4, "10:00:00", date=f"{day.day:02d}/13/{day.year} 10:00:00"))
    missing_date = call(k + 5, "10:00:00")
    del missing_date["date"]
    add("time_missing_field", "missing_time", missing_date)
    add("time_iso_format", "unparseable_time", call(k + 6, "10:00:00", date=f"{day.isoformat()}T10:00:00+03:00"))
    sql = call(k + 7, "11:00:00", utmCampaign=SQL_FRAGMENT, utmSource="yandex'--", utmMedium="cpc")
    add("text_sql_in_utm", "staged", sql, {"utm_campaign": SQL_FRAGMENT, "utm_source": "yandex'--"})
    add("text_quotes_emoji_tab", "staged",
        call(k + 8, "11:05:00", utmCampaign=QUOTES_EMOJI, utmTerm=TAB_NEWLINE, utmContent="{% if true %}x{% endif %}"),
        {"utm_campaign": QUOTES_EMOJI, "utm_term": TAB_NEWLINE, "utm_content": "{% if true %}x{% endif %}",
         "operator_name": ODD_OPERATOR})
    add("duration_negative", "impossible_duration", call(k + 9, "12:00:00", duration=-5))
    add("duration_absurd", "impossible_duration", call(k + 10, "12:05:00", duration=999_999))
    add("wait_negative", "impossible_duration", call(k + 11, "12:10:00", waitingConnect=-1))
    add("duration_words", "unparseable_value", call(k + 12, "12:15:00", duration="две минуты"))
    add("answered_words", "unparseable_value", call(k + 13, "12:20:00", successful="может быть"))
    add("id_null", "missing_id", call(k + 14, "12:25:00", callId=None))
    add("null_fields", "staged",
        call(k + 15, "13:00:00", successful=None, duration=None, waitingConnect=None, manager=None, utmSource=None,
             utmMedium=None, utmCampaign=None, phoneNumber=None, redirectNumber=None, callRecordUrl=None),
        {"answered": False, "talk_seconds": 0, "utm_campaign": None})
    add("missing_fields", "staged",
        {"callId": base_id + k + 16, "date": f"{dd} 13:05:00", "callerNumber": "8 916 555 0123"},
        {"caller_e164": HOSTILE_E164, "answered": False, "talk_seconds": 0})
    add("extra_fields", "staged",
        call(k + 17, "13:10:00", hostileExtra={"nested": [1, {"x": "y"}], "когда": None}, newFlag=True),
        {"call_date": day.isoformat()})
    add("json_null_record", "malformed_record", None, record_id=None)
    add("duplicate_within_page", "duplicate_id", dict(sql))
    add("duplicate_across_pages", "duplicate_id", dict(first_phone), at_end=True)
    add("duplicate_other_content", "duplicate_id", call(1, "09:01:00", callerNumber=PHONE_SHAPES[0][1],
                                                        duration=121), at_end=True)
    return cases


# ---- Yandex Metrica ---------------------------------------------------------------------------
def metrika_cases(world: World, day: date, fields: list[str]) -> list[Case]:
    base_id = 9 * 10**18 + day_index(day) * 1000
    iso = day.isoformat()
    cases: list[Case] = []

    def visit(k: int, clock: str, **changes) -> dict:
        row = {
            "ym:s:visitID": str(base_id + k), "ym:s:clientID": "0", "ym:s:dateTime": f"{iso} {clock}", "ym:s:date": iso,
            "ym:s:lastTrafficSource": "ad", "ym:s:lastAdvEngine": "yandex", "ym:s:lastUTMSource": "yandex",
            "ym:s:lastUTMMedium": "cpc", "ym:s:lastUTMCampaign": "hostile", "ym:s:lastUTMContent": "",
            "ym:s:lastUTMTerm": "", "ym:s:lastDirectClickOrder": "0",
            "ym:s:startURL": "https://example-kuhni.ru/?utm_campaign=%27%3B%20DROP",
        }
        row.update(changes)
        return row

    def add(name: str, expect: str, wire: Any, checks: dict | None = None, *, at_end: bool = False) -> None:
        record_id = wire["ym:s:visitID"] or None if isinstance(wire, dict) else None
        cases.append(Case(VISITS, day, name, expect, record_id, wire, checks or {}, at_end))

    midnight = visit(1, "00:00:00")
    add("time_local_midnight", "staged", midnight, {"visit_date": iso})
    add("time_dst_hour", "staged", visit(2, "02:30:00"),
        {"visit_date": iso, "dst_change": dst_change_on(day, world.tz)})
    sql = visit(3, "10:00:00", **{"ym:s:lastUTMCampaign": SQL_FRAGMENT})
    add("text_sql_in_utm", "staged", sql, {"utm_campaign": SQL_FRAGMENT})
    add("text_tab_newline_emoji", "staged", visit(4, "10:05:00", **{"ym:s:lastUTMTerm": TAB_NEWLINE}),
        {"utm_term": TAB_NEWLINE})
    add("text_quotes_backslash", "staged", visit(5, "10:10:00", **{"ym:s:lastUTMContent": QUOTES_EMOJI}),
        {"utm_content": QUOTES_EMOJI, "client_id": None})
    add("id_empty", "missing_id", visit(6, "11:00:00", **{"ym:s:visitID": ""}))
    add("time_empty", "missing_time", visit(7, "11:05:00", **{"ym:s:dateTime": ""}))
    add("time_unparseable", "unparseable_time", visit(8, "11:10:00", **{"ym:s:dateTime": f"{day.year}-13-45 25:61:00"}))
    add("duplicate_within_part", "duplicate_id", dict(sql))
    add("duplicate_across_parts", "duplicate_id", dict(midnight), at_end=True)
    values = [visit(9, "12:00:00").get(f, "") for f in fields]
    add("ragged_short_row", "ragged_row", "\t".join(values[:-2]))
    add("ragged_long_row", "ragged_row", "\t".join([*values, "лишнее", "поле"]))
    return cases


# ---- Yandex Direct ----------------------------------------------------------------------------
def direct_cases(day: date, fields: list[str]) -> list[Case]:
    iso = day.isoformat()
    cases: list[Case] = []

    def row(k: int, **changes) -> dict:
        values = {"Date": iso, "CampaignId": str(99_000_000 + k), "CampaignName": f"Hostile {k}",
                  "Impressions": "100", "Clicks": "5", "Cost": "1230000"}
        values.update(changes)
        return values

    def add(name: str, expect: str, wire: Any, checks: dict | None = None) -> None:
        record_id = None  # as int_records_quarantined shows it: "<date>:<campaign id>", NULL if either is unreadable
        if isinstance(wire, dict) and wire.get("CampaignId") and wire.get("Date") == iso:
            record_id = f"{wire['Date']}:{wire['CampaignId']}"
        cases.append(Case(DIRECT, day, name, expect, record_id, wire, checks or {}))

    name = "Кампания «Весна» 🌸 '; DROP TABLE marts.roi_daily; --"
    sql = row(1, CampaignName=name)
    add("text_name_sql_emoji", "staged", sql, {"campaign_id": "99000001", "campaign_name": name})
    add("text_name_quotes_template", "staged", row(2, CampaignName=QUOTES_EMOJI),
        {"campaign_id": "99000002", "campaign_name": QUOTES_EMOJI})
    add("dashes_for_zero", "staged", row(3, Impressions="--", Clicks="--", Cost="--"),
        {"campaign_id": "99000003", "clicks": 0, "cost": "0.00"})
    add("cost_negative", "negative_value", row(4, Cost="-1000000"))
    add("clicks_words", "unparseable_value", row(5, Clicks="много"))
    add("id_empty", "missing_id", row(6, CampaignId=""))
    add("date_unparseable", "unparseable_time", row(7, Date=day.strftime("%d.%m.%Y")))
    add("duplicate_row", "duplicate_id", dict(sql))
    values = [row(8)[f] for f in fields]
    add("ragged_short_row", "ragged_row", "\t".join(values[:-1]))
    add("ragged_long_row", "ragged_row", "\t".join([*values, "0"]))
    return cases


# ---- amoCRM -----------------------------------------------------------------------------------
def hostile_contact_id(day: date, k: int) -> int:
    return 9_000_000_000 + day_index(day) * 100 + k


def amocrm_lead_cases(world: World, day: date, base_url: str) -> list[Case]:
    tz = world.tz
    base_id = day_index(day) * 100_000 + 95_000
    cases: list[Case] = []
    at = lambda hh, mm=0: _unix(datetime.combine(day, time(hh, mm)), tz)  # noqa: E731

    def lead(k: int, contacts: tuple[int, ...] = (), **changes) -> dict:
        lead_id = base_id + k
        record = {
            "id": lead_id, "name": f"Hostile deal {k}", "price": 150_000, "responsible_user_id": 0, "group_id": 0,
            "status_id": WON, "pipeline_id": 7_210_001, "loss_reason_id": None, "created_by": 0, "updated_by": 0,
            "created_at": at(10), "updated_at": at(12), "closed_at": at(12), "closest_task_at": None,
            "is_deleted": False, "custom_fields_values": None, "score": None, "account_id": 0, "labor_cost": None,
            "_links": {"self": {"href": f"{base_url}/api/v4/leads/{lead_id}"}},
            "_embedded": {"tags": [], "companies": [],
                          "contacts": [{"id": c, "is_main": i == 0} for i, c in enumerate(contacts)]},
        }
        record.update(changes)
        return record

    def add(name: str, expect: str, wire: dict, checks: dict | None = None, *, at_end: bool = False) -> None:
        record_id = str(wire["id"]) if wire.get("id") is not None else None
        cases.append(Case(LEADS, day, name, expect, record_id, wire, checks or {}, at_end))

    deal_name = "Кухня «Модерн» 🍳 '; DROP TABLE marts.fct_calls; --"
    first = lead(1, (hostile_contact_id(day, 1),), name=deal_name)
    add("text_name_sql_emoji", "staged", first, {"deal_name": deal_name, "price": "150000.00", "deal_status": "won"})
    add("price_words", "unparseable_value", lead(2, price="сто тысяч"))
    add("status_words", "unparseable_value", lead(3, status_id="won"))
    missing_created = lead(4)
    del missing_created["created_at"]
    add("created_missing", "missing_time", missing_created)
    add("created_words", "unparseable_time", lead(5, created_at="вчера"))
    no_id = lead(6)
    del no_id["id"]
    add("id_missing", "missing_id", no_id)
    extra = lead(7, (hostile_contact_id(day, 2),), hostile_extra={"nested": [1, 2]},
                 custom_fields_values=[{"field_code": None, "values": [{"value": QUOTES_EMOJI}]}])
    add("extra_fields", "staged", extra, {"deal_status": "won"})
    add("null_fields", "staged",
        lead(8, name=None, price=None, closed_at=None, responsible_user_id=None, status_id=None, _embedded=None),
        {"deal_status": "open", "price": None})
    add("updated_at_local_midnight", "staged", lead(9, (hostile_contact_id(day, 3),), updated_at=at(0), created_at=at(0)),
        {"partition_date": day.isoformat()})
    add("duplicate_within_page", "duplicate_id", dict(first))
    add("duplicate_across_pages", "duplicate_id", dict(extra), at_end=True)
    return cases


def amocrm_contacts(day: date, tz: ZoneInfo) -> dict[int, list[dict]]:
    """Hostile contact records by requested id (one id may answer with two copies, or a copy without id)."""
    updated = _unix(datetime.combine(day, time(9, 0)), tz)

    def contact(cid: int | None, name: str, phones: list[str] | None) -> dict:
        fields = None
        if phones is not None:
            fields = [{"field_id": 264_911, "field_name": "Телефон", "field_code": "PHONE", "field_type": "multitext",
                       "values": [{"value": p, "enum_code": "MOB"} for p in phones]}]
        record = {"id": cid, "name": name, "updated_at": updated, "created_at": updated,
                  "custom_fields_values": fields, "_embedded": {"tags": []}}
        if cid is None:
            del record["id"]
        return record

    a = contact(hostile_contact_id(day, 1), "Иванова «Анна» 🎧",
                ["8 (916) 555-01-23", "+7 916 555 01 23 доб. 12", "нет телефона", ""])
    return {
        hostile_contact_id(day, 1): [a, dict(a), contact(None, "Без id", ["+7 916 555 01 23"])],
        hostile_contact_id(day, 2): [contact(hostile_contact_id(day, 2), ODD_OPERATOR,
                                             ["+7 (916) 555-01-23, 8 495 123-45-67"])],
        hostile_contact_id(day, 3): [contact(hostile_contact_id(day, 3), "Без телефона", None)],
    }


def amocrm_contact_cases(day: date) -> list[Case]:
    """The contact rows the hostile contacts land as (one row per phone) and what staging must make of them."""
    cid = str(hostile_contact_id(day, 1))
    cases = [
        Case(CONTACTS, day, "phone_8_brackets", "staged", f"{cid}:0", None, {"caller_e164": HOSTILE_E164}),
        Case(CONTACTS, day, "phone_extension_cyrillic", "staged", f"{cid}:1", None, {"caller_e164": HOSTILE_E164}),
        Case(CONTACTS, day, "phone_words_only", "staged", f"{cid}:2", None, {"caller_e164": None}),
        Case(CONTACTS, day, "phone_empty", "staged", f"{cid}:3", None, {"caller_e164": None}),
    ]
    cases += [Case(CONTACTS, day, f"duplicate_within_page_{i}", "duplicate_id", f"{cid}:{i}", None) for i in range(4)]
    cases += [
        Case(CONTACTS, day, "id_missing", "missing_id", None, None),
        Case(CONTACTS, day, "two_numbers_in_one_field", "staged", f"{hostile_contact_id(day, 2)}:0", None,
             {"caller_e164": None}),
        Case(CONTACTS, day, "no_phone_field", "staged", f"{hostile_contact_id(day, 3)}:-1", None,
             {"caller_e164": None}),
    ]
    return cases


# ---- placing cases among the world's own records -------------------------------------------------
def merged(own: list, cases: list[Case]) -> list:
    """The day's records as served: hostile cases first, then the world's own, then the at-end ones."""
    return [c.wire for c in cases if not c.at_end] + list(own) + [c.wire for c in cases if c.at_end]


def all_cases(world: World, day: date) -> list[Case]:
    """Every hostile case of a day (wire values for the ground truth; URLs as the sandbox default)."""
    from .credentials import SandboxCredentials
    from .world import DIRECT_FIELDS, METRIKA_FIELDS

    creds = SandboxCredentials()
    metrika_fields = [f for f in METRIKA_FIELDS if f != "ym:s:date"]
    return [
        *calltouch_cases(world, day, base_url="", site_id=creds.calltouch_site_id, token=""),
        *direct_cases(day, list(DIRECT_FIELDS)),
        *metrika_cases(world, day, metrika_fields),
        *amocrm_lead_cases(world, day, ""),
        *amocrm_contact_cases(day),
    ]


def expected_quality(world: World, counts: dict[str, dict[str, int]]) -> dict:
    """Per day and stream: rows landed (= ``counts``), rows quarantined by reason, rows staged."""
    quarantined: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    # The world's own: a CRM contact lands with every deal of a day; the copy on the latest day is kept,
    # earlier copies of the same contact version are duplicates.
    last_day: dict[int, date] = {}
    rows_of: dict[int, int] = {}
    days_of: dict[int, set[date]] = defaultdict(set)
    for lead in world.leads():
        updated = world.lead_state(lead)[0].date()
        for c in lead.contacts:
            days_of[c.contact_id].add(updated)
            rows_of[c.contact_id] = max(1, len(c.phones))
    for cid, days in days_of.items():
        last_day[cid] = max(days)
        for d in days:
            if d != last_day[cid]:
                quarantined[d.isoformat()][CONTACTS]["duplicate_id"] += rows_of[cid]
    if world.hostile:
        for day in world.window_days():
            for case in all_cases(world, day):
                if case.expect != "staged":
                    quarantined[day.isoformat()][case.stream][case.expect] += 1
    out: dict[str, dict] = {}
    for day, per_stream in counts.items():
        out[day] = {}
        for stream in STREAMS:
            reasons = dict(sorted(quarantined[day][stream].items()))
            landed = per_stream.get(stream, 0)
            out[day][stream] = {"landed": landed, "staged": landed - sum(reasons.values()), "quarantined": reasons}
    return out


def hostile_counts(world: World, day: date) -> Counter:
    """Rows a correct connector yields for the hostile records of a day, per stream."""
    return Counter(case.stream for case in all_cases(world, day))
