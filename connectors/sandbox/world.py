"""The simulated world: a deterministic, seeded window of days and its four vendor views.

``World`` answers "what would each vendor return for this day" (the wire records
of docs/CONTRACTS.md section 1) and "what should a correct pipeline conclude"
(``ground_truth()``, section 4). A day's facts depend only on (seed, date, scale),
so two windows of the same world agree on the days they share. The one thing a
window changes is amoCRM's "now": deals show their state at the end of
``end_date`` (local), as a CRM queried on the next morning would.

``hostile=True`` adds to every day the corpus of ``hostile.py`` (malformed, odd and duplicate
records) to what the vendors serve; the facts (calls, visits, deals) and their ground truth stay
those of the ordinary world, and ``ground_truth()["hostile"]`` lists each hostile case.
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .catalog import BILLBOARD_NUMBER, SITE_HOST, Catalog, build_catalog
from .journeys import (CALL_HORIZON_DAYS, JOURNEY_DAYS, LEAD_HORIZON_DAYS, LOST, PIPELINE_ID, WON, Call, Contact,
                       JourneyGenerator, Lead, Visit, day_index)
from . import hostile as hostile_corpus
from .seeding import stable_rng

AMO_ACCOUNT_ID = 29_384_756
VAT = 1.2
METRIKA_FIELDS = (
    "ym:s:visitID", "ym:s:clientID", "ym:s:dateTime", "ym:s:date", "ym:s:lastTrafficSource", "ym:s:lastAdvEngine",
    "ym:s:lastUTMSource", "ym:s:lastUTMMedium", "ym:s:lastUTMCampaign", "ym:s:lastUTMContent", "ym:s:lastUTMTerm",
    "ym:s:lastDirectClickOrder", "ym:s:startURL",
)
DIRECT_FIELDS = ("Date", "CampaignId", "CampaignName", "Impressions", "Clicks", "Cost")


def vendor_touch(call: Call) -> Visit | None:
    """The visit Calltouch credits: last non-direct visit up to the call, else the last one."""
    touches = [v for v in call.visits if v.start <= call.start]
    for v in reversed(touches):
        if not v.is_direct_touch:
            return v
    return touches[-1] if touches else None


def _round_micros(amount_micros: float) -> int:
    """Direct rounds money in micros to 10,000 (0.01 of the currency)."""
    return int(round(amount_micros / 10_000)) * 10_000


class World:
    """A window of ``days`` local days ending ``end_date`` of the world ``seed``."""

    def __init__(self, seed: int = 7, end_date: date | None = None, days: int = 90, scale: float = 1.0,
                 timezone: str = "Europe/Moscow", hostile: bool = False):
        if days < 1:
            raise ValueError("days must be >= 1")
        self.seed, self.days, self.scale, self.timezone = seed, days, scale, timezone
        self.hostile = hostile
        self.tz = ZoneInfo(timezone)
        if end_date is None:
            end_date = datetime.now(self.tz).date() - timedelta(days=1)
        self.end_date = end_date
        self.start_date = end_date - timedelta(days=days - 1)
        self.now = datetime.combine(end_date + timedelta(days=1), time()) - timedelta(seconds=1)
        self.catalog: Catalog = build_catalog(seed, scale)
        self._regulars = frozenset(self.catalog.regular_customers)
        self._gen = JourneyGenerator(self.catalog)
        self._lock = threading.RLock()  # the caches are filled lazily; server threads share them
        self._visits: dict[date, list[Visit]] = {}
        self._calls: dict[date, list[Call]] = {}
        self._direct: dict[date, list[dict]] = {}
        self._leads: list[Lead] | None = None
        self._contacts: dict[int, Contact] = {}
        self._truth: dict | None = None

    # ---- window -----------------------------------------------------------------
    def in_window(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date

    def window_days(self) -> list[date]:
        return [self.start_date + timedelta(days=i) for i in range(self.days)]

    def to_unix(self, local: datetime) -> int:
        return int(local.replace(tzinfo=self.tz).timestamp())

    def to_local(self, unix: int) -> datetime:
        return datetime.fromtimestamp(unix, self.tz).replace(tzinfo=None)

    # ---- facts ------------------------------------------------------------------
    def visits(self, day: date) -> list[Visit]:
        """Metrica visits that started on local ``day``, by start time then visit id."""
        if not self.in_window(day):
            return []
        with self._lock:
            found = self._visits.get(day)
            if found is None:
                found = []
                for offset in range(JOURNEY_DAYS):
                    started = day - timedelta(days=offset)
                    found += self._gen.batch("calling", started).visits.get(day, [])
                    found += self._gen.batch("browsing", started).visits.get(day, [])
                found.sort(key=lambda v: (v.start, v.visit_id))
                self._visits[day] = found
            return found

    def calls(self, day: date) -> list[Call]:
        """Calls that started on local ``day``, in order, with their Calltouch call ids assigned."""
        if not self.in_window(day):
            return []
        with self._lock:
            found = self._calls.get(day)
            if found is None:
                found = list(self._gen.batch("daily", day).calls.get(day, []))
                for offset in range(CALL_HORIZON_DAYS + 1):
                    found += self._gen.batch("calling", day - timedelta(days=offset)).calls.get(day, [])
                found.sort(key=lambda c: (c.start, c.key))
                base = day_index(day) * 100_000 + 1
                for i, call in enumerate(found):
                    call.call_id = base + i
                self._calls[day] = found
            return found

    def leads(self) -> list[Lead]:
        """Deals visible at "now" whose latest change falls inside the window, by (updated, id)."""
        with self._lock:
            if self._leads is None:
                leads: list[Lead] = []
                first = self.start_date - timedelta(days=LEAD_HORIZON_DAYS)
                for i in range((self.end_date - first).days + 1):
                    started = first + timedelta(days=i)
                    leads += self._gen.batch("calling", started).leads
                    if started >= self.start_date - timedelta(days=CALL_HORIZON_DAYS):
                        leads += self._gen.batch("daily", started).leads
                visible = [lead for lead in leads
                           if lead.created <= self.now and self.lead_state(lead)[0].date() >= self.start_date]
                visible.sort(key=lambda lead: (self.lead_state(lead)[0], lead.lead_id))
                self._leads = visible
                self._contacts = {c.contact_id: c for lead in visible for c in lead.contacts}
            return self._leads

    def lead_state(self, lead: Lead) -> tuple[datetime, int, datetime | None]:
        """(updated_at, status_id, closed_at) as amoCRM shows the deal at "now" (local times)."""
        seen = [e for e in lead.events if e[0] <= self.now]
        updated, status = seen[-1]
        return updated, status, updated if status in (WON, LOST) else None

    # ---- Calltouch ----------------------------------------------------------------
    def calltouch_calls(self, day: date, *, base_url: str = "https://api.calltouch.ru", site_id: str = "54321",
                        token: str = "sandbox-calltouch-token", with_yandex_direct: bool = True) -> list[dict]:
        """Calls of ``day`` as Calltouch's calls diary records (CONTRACTS section 1)."""
        records = [self._calltouch_record(c, base_url, site_id, token, with_yandex_direct) for c in self.calls(day)]
        if self.hostile and self.in_window(day):
            cases = hostile_corpus.calltouch_cases(self, day, base_url=base_url, site_id=site_id, token=token)
            records = hostile_corpus.merged(records, cases)
        return records

    def _calltouch_record(self, call: Call, base_url: str, site_id: str, token: str, with_yd: bool) -> dict:
        touch = vendor_touch(call)
        fresh = call.caller is not None and call.caller not in self._regulars
        unique = call.kind in ("journey", "billboard") and fresh  # the vendor's own rule, not ours
        target = call.answered and call.talk_seconds >= 40  # the account's Calltouch setting: 40 s
        if touch is not None:
            if touch.traffic_source == "ad" or touch.utm_medium:
                source, medium = touch.utm_source or touch.origin, touch.utm_medium
            elif touch.traffic_source in ("organic", "referral"):
                source, medium = touch.origin, touch.traffic_source
            else:
                source, medium = "(direct)", "(none)"
        elif call.tracking_number == BILLBOARD_NUMBER:
            source, medium = "billboard", "offline"
        else:
            source, medium = "(direct)", "(none)"
        record = {
            "callId": call.call_id,
            "date": call.start.strftime("%d/%m/%Y %H:%M:%S"),
            "callerNumber": call.caller_wire,
            "phoneNumber": call.tracking_number,
            "redirectNumber": call.redirect_number,
            "duration": call.talk_seconds,
            "waitingConnect": call.wait_seconds,
            "successful": call.answered,
            "uniqueCall": unique,
            "targetCall": target,
            "uniqTargetCall": unique and target,
            "callbackCall": False,
            "attribution": 1,
            "manager": call.operator.name if call.operator else "",
            "sessionId": call.session_id,
            "yaClientId": call.client_id,
            "source": source,
            "medium": medium,
            "utmSource": touch.utm_source if touch else "",
            "utmMedium": touch.utm_medium if touch else "",
            "utmCampaign": touch.utm_campaign if touch else "",
            "utmContent": touch.utm_content if touch else "",
            "utmTerm": touch.utm_term if touch else "",
            "city": call.center,
            "hostname": SITE_HOST if call.visits else "",
            "callUrl": call.visits[-1].start_url.split("?")[0] if call.visits else "",
            "callRecordUrl": None,
        }
        if with_yd:
            record["yandexDirect"] = None
            if touch is not None and touch.direct_campaign_id:
                record["yandexDirect"] = {"campaignId": touch.direct_campaign_id, "adGroupId": touch.ad_group_id,
                                          "adId": int(touch.utm_content), "criteriaId": None}
        if call.answered and call.talk_seconds > 0:
            record["callRecordUrl"] = (f"{base_url}/calls-service/RestAPI/{site_id}/calls-diary/calls/"
                                       f"{call.call_id}/download?clientApiId={token}")
        return record

    # ---- Yandex Direct ----------------------------------------------------------------
    def direct_stats(self, day: date, *, include_vat: bool = False) -> list[dict]:
        """CAMPAIGN_PERFORMANCE_REPORT rows of ``day`` (Cost in micros), by campaign id.

        Campaigns that had no impressions that day are absent, as in Direct. Clicks are
        never fewer than the Direct ad visits Metrica saw for the campaign that day.
        """
        if not self.in_window(day):
            return []
        with self._lock:
            rows = self._direct.get(day)
            if rows is None:
                ad_visits: dict[int, int] = {}
                for v in self.visits(day):
                    if v.direct_campaign_id:
                        ad_visits[v.direct_campaign_id] = ad_visits.get(v.direct_campaign_id, 0) + 1
                rows = []
                for camp in sorted(self.catalog.campaigns, key=lambda c: c.campaign_id):
                    if not camp.active_on(self.seed, day):
                        continue
                    rng = stable_rng(self.seed, "direct-stats", camp.campaign_id, day.isoformat(), self.scale)
                    visits = ad_visits.get(camp.campaign_id, 0)
                    clicks = visits + round(visits * rng.uniform(0.08, 0.3)) + rng.randint(0, 2)
                    impressions = round(clicks / (camp.ctr * rng.uniform(0.8, 1.2))) + rng.randint(1, 40)
                    cost = _round_micros(clicks * camp.cpc * rng.uniform(0.85, 1.15) * 1_000_000)
                    rows.append({"Date": day.isoformat(), "CampaignId": camp.campaign_id, "CampaignName": camp.name,
                                 "Impressions": impressions, "Clicks": clicks, "Cost": cost})
                self._direct[day] = rows
        if include_vat:
            return [{**r, "Cost": _round_micros(r["Cost"] * VAT)} for r in rows]
        return [dict(r) for r in rows]

    # ---- Yandex Metrica ----------------------------------------------------------------
    def metrika_visits(self, day: date) -> list[dict]:
        """Visits of ``day`` keyed by Logs API field names, values as the TSV shows them."""
        return [{
            "ym:s:visitID": str(v.visit_id),
            "ym:s:clientID": v.client_id,
            "ym:s:dateTime": v.start.strftime("%Y-%m-%d %H:%M:%S"),
            "ym:s:date": v.start.date().isoformat(),
            "ym:s:lastTrafficSource": v.traffic_source,
            "ym:s:lastAdvEngine": v.adv_engine,
            "ym:s:lastUTMSource": v.utm_source,
            "ym:s:lastUTMMedium": v.utm_medium,
            "ym:s:lastUTMCampaign": v.utm_campaign,
            "ym:s:lastUTMContent": v.utm_content,
            "ym:s:lastUTMTerm": v.utm_term,
            "ym:s:lastDirectClickOrder": str(v.direct_campaign_id),
            "ym:s:startURL": v.start_url,
        } for v in self.visits(day)]

    # ---- amoCRM ----------------------------------------------------------------------
    def amocrm_leads(self, updated_from_utc: int | datetime, updated_to_utc: int | datetime, *,
                     base_url: str = "https://sandbox.amocrm.ru") -> list[dict]:
        """Deals whose current ``updated_at`` lies in [from, to] (inclusive), by (updated_at, id)."""
        lo, hi = (int(t.timestamp()) if isinstance(t, datetime) else int(t) for t in (updated_from_utc, updated_to_utc))
        out = []
        for lead in self.leads():
            updated, status, closed = self.lead_state(lead)
            updated_at = self.to_unix(updated)
            if lo <= updated_at <= hi:
                out.append(self._lead_record(lead, updated_at, status, closed, base_url))
        return out

    def _lead_record(self, lead: Lead, updated_at: int, status: int, closed: datetime | None, base_url: str) -> dict:
        return {
            "id": lead.lead_id, "name": lead.name, "price": lead.price,
            "responsible_user_id": lead.responsible_user_id, "group_id": 0,
            "status_id": status, "pipeline_id": PIPELINE_ID, "loss_reason_id": None,
            "created_by": 0, "updated_by": 0,
            "created_at": self.to_unix(lead.created), "updated_at": updated_at,
            "closed_at": self.to_unix(closed) if closed else None, "closest_task_at": None,
            "is_deleted": False, "custom_fields_values": None, "score": None,
            "account_id": AMO_ACCOUNT_ID, "labor_cost": None,
            "_links": {"self": {"href": f"{base_url}/api/v4/leads/{lead.lead_id}"}},
            "_embedded": {"tags": [], "companies": [], "contacts": [
                {"id": c.contact_id, "is_main": i == 0,
                 "_links": {"self": {"href": f"{base_url}/api/v4/contacts/{c.contact_id}"}}}
                for i, c in enumerate(lead.contacts)]},
        }

    def amocrm_contacts(self, ids, *, base_url: str = "https://sandbox.amocrm.ru") -> list[dict]:
        """Contacts with the given ids (unknown ids are skipped), by id."""
        self.leads()
        wanted = sorted({int(i) for i in ids})
        records = [self._contact_record(self._contacts[i], base_url) for i in wanted if i in self._contacts]
        if self.hostile:
            extra = {}
            for day in self.window_days():
                extra.update(hostile_corpus.amocrm_contacts(day, self.tz))
            records += [r for i in wanted for r in extra.get(i, [])]
        return records

    def hostile_leads(self, updated_from_utc: int, updated_to_utc: int, *,
                      base_url: str = "https://sandbox.amocrm.ru") -> tuple[list[dict], list[dict]]:
        """Hostile deal records updated in [from, to]: (served before the world's own, served after them)."""
        if not self.hostile:
            return [], []
        cases = [c for day in self.window_days() for c in hostile_corpus.amocrm_lead_cases(self, day, base_url)
                 if updated_from_utc <= c.wire["updated_at"] <= updated_to_utc]
        return [c.wire for c in cases if not c.at_end], [c.wire for c in cases if c.at_end]

    def amocrm_contact_ids(self) -> list[int]:
        """Ids of every contact of the visible deals."""
        self.leads()
        return sorted(self._contacts)

    def _contact_record(self, c: Contact, base_url: str) -> dict:
        last, _, first = c.name.partition(" ")
        fields = None
        if c.phones:
            fields = [{"field_id": 264_911, "field_name": "Телефон", "field_code": "PHONE", "field_type": "multitext",
                       "values": [{"value": typed, "enum_id": 184_001 + (i > 0), "enum_code": "MOB" if i == 0 else "WORK"}
                                  for i, (typed, _) in enumerate(c.phones)]}]
        return {
            "id": c.contact_id, "name": c.name, "first_name": first, "last_name": last,
            "responsible_user_id": 0, "group_id": 0, "created_by": 0, "updated_by": 0,
            "created_at": self.to_unix(c.created), "updated_at": self.to_unix(c.created),
            "closest_task_at": None, "is_deleted": False, "is_unsorted": False,
            "custom_fields_values": fields, "account_id": AMO_ACCOUNT_ID,
            "_links": {"self": {"href": f"{base_url}/api/v4/contacts/{c.contact_id}"}},
            "_embedded": {"tags": [], "companies": []},
        }

    # ---- summaries ----------------------------------------------------------------------
    def ground_truth(self) -> dict:
        """CONTRACTS section 4; see ``truth.py`` for the definitions applied (computed once)."""
        from .truth import build_ground_truth

        with self._lock:
            if self._truth is None:
                self._truth = build_ground_truth(self)
            return self._truth

    def write_ground_truth(self, path: str | Path) -> Path:
        return _write_json(path, self.ground_truth(), indent=None)

    def describe(self) -> dict:
        """The static side of the world (world.json): campaigns, centers, operators, numbers."""
        cat = self.catalog
        return {
            "seed": self.seed, "scale": self.scale, "timezone": self.timezone,
            "start_date": self.start_date.isoformat(), "end_date": self.end_date.isoformat(),
            "campaigns": [{"campaign_id": str(c.campaign_id), "name": c.name, "utm_campaign": c.utm_campaign,
                           "gets_calls": c.calls} for c in cat.campaigns],
            "utm_campaign_overrides": {k: str(v) for k, v in cat.utm_overrides.items()},
            "static_numbers": {BILLBOARD_NUMBER: {"channel": "billboard", "utm_source": "billboard",
                                                  "utm_medium": "offline"}},
            "call_centers": [{"name": c.name, "redirect_number": c.redirect_number, "operators": [
                {"name": o.name, "user_id": o.user_id, "trained": o.trained} for o in c.operators]}
                for c in cat.centers],
            "tracking_numbers": list(cat.tracking_numbers),
            "spam_numbers": list(cat.spam_numbers),
            "regular_customers": len(cat.regular_customers),
        }

    def write_description(self, path: str | Path) -> Path:
        return _write_json(path, self.describe())


def _write_json(path: str | Path, payload: dict, indent: int | None = 1) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=indent), encoding="utf-8")
    tmp.replace(path)
    return path
