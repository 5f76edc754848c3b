"""Journeys: the facts of the world, generated per day from (seed, day) alone.

A *journey* is one person's path to (maybe) a call: a fresh Metrica client id,
1-4 visits spread over 15 days from the day it starts, each with its own traffic
source, and for calling journeys a call 1-30 minutes after the last visit,
sometimes a redial or a repeat call later, and sometimes a deal in amoCRM.
Calling and browsing journeys use separate random streams, so the calls and
deals of a period can be generated without the ~2000 visits a day behind them.

Besides journeys, each day has its own spam calls, billboard calls (the static
tracking number: no session, no client id) and walk-in deals (no call at all).
Times are naive local wall-clock datetimes in the account time zone.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from functools import lru_cache
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import quote

from .catalog import BILLBOARD_NUMBER, SITE_HOST, STALE_UTM_CAMPAIGN, Catalog, Campaign, Operator, person_name
from .phones import as_typed, random_number
from .seeding import stable_rng

EPOCH = date(2000, 1, 1)
JOURNEY_DAYS = 15  # visits fall on the start day .. start day + 14
CALL_HORIZON_DAYS = 26  # a journey's calls (with redials and repeats) end within this many days of its start
LEAD_HORIZON_DAYS = 50  # ... and its deal's last event within this many
WON, LOST = 142, 143
PIPELINE_ID = 7_210_001
STAGES = (61_000_001, 61_000_002, 61_000_003, 61_000_004)  # первичный контакт, переговоры, замер, договор
SALES_MANAGER_ID = 9_300_001  # responsible user of walk-in deals

_HOUR_WEIGHTS = (0.8, 0.5, 0.3, 0.2, 0.2, 0.3, 0.7, 1.5, 2.5, 4, 5.5, 6, 6, 5.8, 5.8, 5.6, 5.4, 5, 4.8, 5, 5.2, 4.8, 3.5, 2)
_HOURS = tuple(range(24))
_CUM_HOURS = tuple(sum(_HOUR_WEIGHTS[: i + 1]) for i in range(24))
_WEEKDAY_FACTOR = (1.0, 1.0, 1.0, 1.0, 0.95, 0.85, 0.8)

# visit source kinds and their shares (calling journeys use the same mix)
_KINDS = ("direct_ad", "organic", "direct", "internal", "referral", "social", "email", "google", "stale")
_KIND_WEIGHTS = (38, 22, 15, 3, 5, 5, 4, 6, 2)
_CUM_KINDS = tuple(sum(_KIND_WEIGHTS[: i + 1]) for i in range(len(_KINDS)))
_PATHS = ("/", "/kuhni/", "/kuhni/uglovye/", "/kuhni/pryamye/", "/shkafy-kupe/", "/akcii/", "/kontakty/", "/zamer/")
_TERMS = ("кухни на заказ", "купить кухню москва", "угловая кухня", "шкаф купе на заказ", "кухни недорого",
          "кухня от производителя", "замер кухни бесплатно", "")
_REFERRERS = ("mebel-forum.ru", "zoon.ru", "houzz.ru", "dzen.ru")


_quote = lru_cache(maxsize=None)(quote)


@dataclass(slots=True)
class Visit:
    """One Metrica visit (session) with its own, last-click, traffic source."""

    visit_id: int
    client_id: str  # "0" when Metrica has none
    start: datetime
    traffic_source: str
    adv_engine: str = ""
    origin: str = ""  # search engine or referrer host, for Calltouch's own source field
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_content: str = ""
    utm_term: str = ""
    direct_campaign_id: int = 0
    ad_group_id: int = 0
    path: str = "/"
    yclid: int = 0

    @property
    def start_url(self) -> str:
        url = f"https://{SITE_HOST}{self.path}"
        if not self.utm_source:
            return url
        url += f"?utm_source={self.utm_source}&utm_medium={self.utm_medium}&utm_campaign={_quote(self.utm_campaign)}"
        if self.utm_content:
            url += f"&utm_content={_quote(self.utm_content)}"
        if self.utm_term:
            url += f"&utm_term={_quote(self.utm_term)}"
        if self.yclid:
            url += f"&yclid={self.yclid}"
        return url

    @property
    def is_direct_touch(self) -> bool:
        return self.traffic_source in ("direct", "internal") and not self.utm_source


@dataclass(slots=True)
class Contact:
    contact_id: int
    name: str
    created: datetime
    phones: tuple[tuple[str, str], ...]  # (as typed, true E.164 digits)


@dataclass(slots=True)
class Lead:
    """An amoCRM deal with its full status history; the API shows the state at "now"."""

    lead_id: int
    name: str
    price: int
    responsible_user_id: int
    events: tuple[tuple[datetime, int], ...]  # (local time, status_id), first = creation
    contacts: tuple[Contact, ...]
    call: Call | None = None  # the call that made the operator open it (None: walk-in)

    @property
    def created(self) -> datetime:
        return self.events[0][0]


@dataclass(slots=True)
class Call:
    """One inbound call as the call-tracker saw it."""

    key: int  # stable tie-breaker for ordering calls that start in the same second
    start: datetime
    caller: str | None  # true E.164 digits; None when the number was hidden
    caller_wire: str  # what Calltouch shows in callerNumber
    kind: str  # journey | redial | repeat | billboard | spam
    tracking_number: str
    center: str
    redirect_number: str
    operator: Operator | None
    answered: bool
    wait_seconds: int
    talk_seconds: int
    session_id: int | None = None
    client_id: str = ""
    visits: tuple[Visit, ...] = ()  # the journey's visits (all of them: the vendor's view)
    call_id: int = 0  # assigned when its day is listed
    lead: Lead | None = field(default=None, repr=False)

    @property
    def is_target(self) -> bool:
        return self.answered and self.talk_seconds >= 30


@dataclass(slots=True)
class DayBatch:
    """What journeys or events started on one day contribute, bucketed by local day."""

    visits: dict[date, list[Visit]] = field(default_factory=lambda: defaultdict(list))
    calls: dict[date, list[Call]] = field(default_factory=lambda: defaultdict(list))
    leads: list[Lead] = field(default_factory=list)


def day_index(day: date) -> int:
    return (day - EPOCH).days


def _pick(rng: random.Random, items: tuple, cum: tuple[float, ...]):
    """``rng.choices(items, cum_weights=cum)[0]``, without its per-call overhead."""
    return items[bisect_right(cum, rng.random() * cum[-1])]


def _clock(rng: random.Random, day: date) -> datetime:
    """A moment of ``day``, busier by day than by night."""
    hour = _pick(rng, _HOURS, _CUM_HOURS)
    return datetime.combine(day, time()) + timedelta(seconds=hour * 3600 + int(rng.random() * 3600))


_EPOCH_UNIX = 946_684_800  # EPOCH as unix seconds
_ENGINES = ("yandex", "google")
_CUM_ENGINES = (3, 4)
_GOOGLE_CAMPAIGNS = ("g-search-kitchens", "g-search-wardrobes", "g-pmax")


class JourneyGenerator:
    """Generates and caches the day batches of one world (seed, scale)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.seed = catalog.seed
        self.scale = catalog.scale
        self._cache: dict[tuple[str, date], DayBatch] = {}
        self._campaign_weights: dict[tuple[date, bool], tuple[tuple[Campaign, ...], tuple[float, ...]]] = {}
        self._regular_contacts: dict[int, Contact] = {}
        self._day_starts: dict[date, datetime] = {}

    # ---- cached day batches -------------------------------------------------
    def batch(self, kind: str, day: date) -> DayBatch:
        key = (kind, day)
        found = self._cache.get(key)
        if found is None:
            found = {"calling": self._calling, "browsing": self._browsing, "daily": self._daily}[kind](day)
            self._cache[key] = found
        return found

    # ---- helpers --------------------------------------------------------------
    def _count(self, rng: random.Random, day: date, base: float) -> int:
        mean = base * self.scale * _WEEKDAY_FACTOR[day.weekday()]
        return max(0, round(mean * rng.uniform(0.88, 1.12)))

    def _campaigns(self, day: date, calling: bool):
        key = (day, calling)
        found = self._campaign_weights.get(key)
        if found is None:
            active = tuple(c for c in self.catalog.campaigns if c.active_on(self.seed, day) and (c.calls or not calling))
            cum, total = [], 0.0
            for c in active:
                total += c.weight
                cum.append(total)
            found = self._campaign_weights[key] = (active, tuple(cum))
        return found

    def _visit(self, rng: random.Random, start: datetime, client_id: str, kind: str, calling: bool) -> Visit:
        visit_id = 2 * 10**18 + rng.getrandbits(62)
        path = _PATHS[int(rng.random() * len(_PATHS))]
        if kind == "direct_ad":
            active, cum = self._campaigns(start.date(), calling)
            if active:
                camp = _pick(rng, active, cum)
                ad_group = camp.ad_groups[int(rng.random() * len(camp.ad_groups))]
                ad_id = ad_group * 10 + 1 + int(rng.random() * 5)
                term = _TERMS[int(rng.random() * len(_TERMS))]
                return Visit(visit_id, client_id, start, "ad", "yandex", "yandex", "yandex", "cpc", camp.utm_campaign,
                             str(ad_id), term, camp.campaign_id, ad_group, path, rng.getrandbits(56))
            kind = "organic"
        if kind == "organic":
            return Visit(visit_id, client_id, start, "organic", "", _pick(rng, _ENGINES, _CUM_ENGINES), path=path)
        if kind == "direct":
            return Visit(visit_id, client_id, start, "direct", path=path)
        if kind == "internal":
            return Visit(visit_id, client_id, start, "internal", path=path)
        if kind == "referral":
            return Visit(visit_id, client_id, start, "referral", "", _REFERRERS[int(rng.random() * len(_REFERRERS))],
                         path=path)
        if kind == "social":
            return Visit(visit_id, client_id, start, "social", "", "vk.com", "vk", "social", "vk-group-posts", path=path)
        if kind == "email":
            return Visit(visit_id, client_id, start, "email", "", "newsletter", "newsletter", "email", "digest-weekly",
                         path=path)
        if kind == "google":
            campaign = _GOOGLE_CAMPAIGNS[int(rng.random() * len(_GOOGLE_CAMPAIGNS))]
            term = _TERMS[int(rng.random() * len(_TERMS))]
            return Visit(visit_id, client_id, start, "ad", "google", "google", "google", "cpc", campaign, "", term,
                         path=path)
        # "stale": an old hand-tagged Direct link without yclid: Metrica knows no Direct order for it
        return Visit(visit_id, client_id, start, "ad", "yandex", "yandex", "yandex", "cpc", STALE_UTM_CAMPAIGN, path=path)

    def _day_start(self, day: date) -> datetime:
        found = self._day_starts.get(day)
        if found is None:
            found = self._day_starts[day] = datetime.combine(day, time())
        return found

    def _journey_visits(self, rng: random.Random, day: date, n: int, calling: bool) -> list[Visit]:
        seconds = [_pick(rng, _HOURS, _CUM_HOURS) * 3600 + int(rng.random() * 3600)]
        for _ in range(n - 1):
            seconds.append(int(rng.random() * JOURNEY_DAYS) * 86_400 + _pick(rng, _HOURS, _CUM_HOURS) * 3600
                           + int(rng.random() * 3600))
        seconds.sort()
        base = self._day_start(day)
        times = [base + timedelta(seconds=s) for s in seconds]
        client_id = "0"
        if rng.random() >= 0.05:
            unix = day_index(day) * 86_400 + _EPOCH_UNIX + seconds[0]
            client_id = f"{unix}{100_000_000 + int(rng.random() * 899_999_999)}"
        kinds = [_pick(rng, _KINDS, _CUM_KINDS) for _ in range(n)]
        if calling and n >= 2 and rng.random() < 0.3:
            kinds[-1] = "direct"  # came back by typing the address, then called
        return [self._visit(rng, t, client_id, k, calling) for t, k in zip(times, kinds)]

    def _route(self, rng: random.Random, start: datetime, *, spam: bool = False):
        center = self.catalog.centers[0] if rng.random() < self.catalog.centers[0].share else self.catalog.centers[1]
        night = start.hour < 7
        answered = rng.random() < ((0.45 if spam else 0.85) * (0.75 if night else 1.0))
        operator = rng.choice(center.operators) if answered else None
        if not answered:
            talk, wait = 0, rng.randint(15, 60)
        elif spam:
            talk, wait = rng.randint(1, 12), rng.randint(2, 20)
        else:
            wait = rng.randint(2, 25)
            if rng.random() < 0.2:
                talk = rng.randint(3, 29)
            else:
                talk = 30 + min(1700, int(rng.expovariate(1 / 130)))
                if operator.trained:
                    talk += rng.randint(45, 105)  # upsell and retention take about a minute more
        return center, operator, answered, talk, wait

    def _call(self, rng: random.Random, start: datetime, caller: str, hidden: bool, kind: str, *,
              tracking: str | None = None, session_id: int | None = None, client_id: str = "",
              visits: tuple[Visit, ...] = ()) -> Call:
        center, operator, answered, talk, wait = self._route(rng, start, spam=kind == "spam")
        wire = caller
        if hidden:
            wire = rng.choice(("", "anonymous"))
        return Call(rng.getrandbits(48), start, None if hidden else caller, wire, kind,
                    tracking or rng.choice(self.catalog.tracking_numbers), center.name, center.redirect_number,
                    operator, answered, wait, talk, session_id, client_id, visits)

    def _contact_for(self, rng: random.Random, caller: str, contact_id: int, created: datetime) -> Contact:
        """The caller's CRM contact: shared for regular customers, new otherwise."""
        regulars = self.catalog.regular_customers
        if caller in regulars:
            index = regulars.index(caller)
            found = self._regular_contacts.get(index)
            if found is None:
                crng = stable_rng(self.seed, "regular-contact", index)
                phones = [(as_typed(caller, crng), caller)]
                if crng.random() < 0.2:
                    other = random_number(crng)
                    phones.append((as_typed(other, crng), other))
                found = Contact(100_000 + index, person_name(crng), datetime(2024, 1, 1) + timedelta(minutes=index * 997),
                                tuple(phones))
                self._regular_contacts[index] = found
            return found
        phones = [(as_typed(caller, rng), caller)]
        if rng.random() < 0.15:
            other = random_number(rng)
            phones.append((as_typed(other, rng), other))
        return Contact(contact_id, person_name(rng), created, tuple(phones))

    def _lead(self, rng: random.Random, lead_id: int, created: datetime, main: Contact | None, call: Call | None,
              trained: bool, responsible: int) -> Lead:
        contacts = []
        if main is None:
            phone = random_number(rng)
            main = Contact(lead_id * 4, person_name(rng), created, ((as_typed(phone, rng), phone),))
        contacts.append(main)
        if rng.random() < 0.1:  # spouse or colleague, sometimes without a phone
            phones: tuple[tuple[str, str], ...] = ()
            if rng.random() < 0.5:
                phone = random_number(rng)
                phones = ((as_typed(phone, rng), phone),)
            contacts.append(Contact(lead_id * 4 + 1, person_name(rng), created, phones))
        won = rng.random() < (0.6 if trained else 0.28)
        price = min(300_000, max(20_000, round(rng.lognormvariate(11.0, 0.55) * (1.5 if trained else 1.0), -2)))
        closed = created + timedelta(seconds=rng.randint(86_400, 20 * 86_400))
        stage_times = sorted(created + (closed - created) * rng.random() for _ in range(rng.randint(0, 3)))
        events = [(created, STAGES[0])]
        events += [(t.replace(microsecond=0), STAGES[i + 1]) for i, t in enumerate(stage_times)]
        events.append((closed, WON if won else LOST))
        name = rng.choice(("Кухня на заказ", "Угловая кухня", "Шкаф-купе", "Звонок с сайта", "Кухня + шкаф"))
        if call is None:
            name = "Визит в салон"
        return Lead(lead_id, name, int(price), responsible, tuple(events), tuple(contacts), call)

    def _maybe_lead(self, rng: random.Random, calls: list[Call], lead_id: int, batch: DayBatch) -> None:
        """A share of target calls makes the operator open a deal (trained operators convert more)."""
        call = next((c for c in calls if c.is_target and c.caller), None)
        if call is None:
            return
        trained = call.operator.trained
        if rng.random() >= (0.36 if trained else 0.22):
            return
        created = (call.start + timedelta(seconds=rng.randint(600, 3 * 86_400))).replace(microsecond=0)
        contact = self._contact_for(rng, call.caller, lead_id * 4, created)
        lead = self._lead(rng, lead_id, created, contact, call, trained, call.operator.user_id)
        call.lead = lead
        batch.leads.append(lead)

    # ---- generators -------------------------------------------------------------
    def _calling(self, day: date) -> DayBatch:
        rng = stable_rng(self.seed, "calling-journeys", day.isoformat(), self.scale)
        batch = DayBatch()
        regulars = self.catalog.regular_customers
        for j in range(self._count(rng, day, 120)):
            n = _pick(rng, (1, 2, 3, 4), (25, 55, 80, 100))
            visits = self._journey_visits(rng, day, n, calling=True)
            for v in visits:
                batch.visits[v.start.date()].append(v)
            caller = rng.choice(regulars) if rng.random() < 0.2 else random_number(rng)
            hidden = rng.random() < 0.05
            session = rng.randrange(10**8, 10**9)
            cid = "" if visits[0].client_id == "0" else visits[0].client_id
            common = dict(session_id=session, client_id=cid, visits=tuple(visits))
            start = (visits[-1].start + timedelta(seconds=rng.randint(60, 1800)))
            first = self._call(rng, start, caller, hidden, "journey", **common)
            calls = [first]
            if not first.answered and rng.random() < 0.5:
                calls.append(self._call(rng, start + timedelta(seconds=rng.randint(60, 600)), caller, hidden,
                                        "redial", tracking=first.tracking_number, **common))
            if calls[-1].answered and rng.random() < 0.2:
                later = calls[-1].start + timedelta(seconds=rng.randint(3600, 10 * 86_400))
                calls.append(self._call(rng, later, caller, hidden, "repeat", tracking=first.tracking_number, **common))
            for c in calls:
                batch.calls[c.start.date()].append(c)
            self._maybe_lead(rng, calls, day_index(day) * 100_000 + j, batch)
        return batch

    def _browsing(self, day: date) -> DayBatch:
        rng = stable_rng(self.seed, "browsing-journeys", day.isoformat(), self.scale)
        batch = DayBatch()
        for _ in range(self._count(rng, day, 1180)):
            n = _pick(rng, (1, 2, 3, 4), (68, 88, 96, 100))
            for v in self._journey_visits(rng, day, n, calling=False):
                batch.visits[v.start.date()].append(v)
        return batch

    def _daily(self, day: date) -> DayBatch:
        """Spam, billboard calls and walk-in deals of one day."""
        batch = DayBatch()
        rng = stable_rng(self.seed, "spam", day.isoformat())
        for number in self.catalog.spam_numbers:
            start = _clock(rng, day)
            for _ in range(rng.randint(0, 4)):
                batch.calls[day].append(self._call(rng, start, number, False, "spam"))
                start += timedelta(seconds=rng.randint(120, 5400))
                if start.date() != day:
                    break
        rng = stable_rng(self.seed, "billboard", day.isoformat(), self.scale)
        regulars = self.catalog.regular_customers
        for k in range(self._count(rng, day, 6)):
            caller = rng.choice(regulars) if rng.random() < 0.3 else random_number(rng)
            call = self._call(rng, _clock(rng, day), caller, False, "billboard", tracking=BILLBOARD_NUMBER)
            batch.calls[call.start.date()].append(call)
            self._maybe_lead(rng, [call], day_index(day) * 100_000 + 80_000 + k, batch)
        rng = stable_rng(self.seed, "walk-ins", day.isoformat(), self.scale)
        for k in range(self._count(rng, day, 1.2)):
            lead_id = day_index(day) * 100_000 + 90_000 + k
            created = datetime.combine(day, time(rng.randint(10, 20), rng.randrange(60), rng.randrange(60)))
            batch.leads.append(self._lead(rng, lead_id, created, None, None, False, SALES_MANAGER_ID))
        return batch
