"""Ground truth: what a correct pipeline must conclude about a world window.

Definitions are those of DESIGN section 1, applied to the window only (the
pipeline never sees days before it), using each call's TRUE caller number:

- touch: a visit of the call's client id that started in [call - 30 x 24 h, call];
  ordered by (start, numeric visit id); last_non_direct = the last touch that is not
  (traffic source direct/internal with no utm_source), else the last touch;
- unique: no earlier call of the same caller within 30 x 24 h before it; target:
  answered and talk >= 30 s; unique target: target with no earlier target call of the
  caller within 30 x 24 h. A call whose caller is hidden is unique (and unique target
  when target);
- deal link: deals in order of (created_at, id) take the latest unique target call of
  any of their contacts' phones that started before the deal and within 30 x 24 h of it;
  a call already taken by an earlier deal leaves the later deal unlinked.

Per call (keyed by the Calltouch ``callId`` as text): ``visit_id`` = the expected
last_non_direct touch (null without touches), ``causing_visit_id`` = the visit the
call really followed (may lie before the window), ``touch_visit_ids``,
``direct_campaign_id`` (of that touch), ``campaign_id`` (resolved as roi_daily does:
Direct order, utm_campaign = id, = name, manual override; for calls without touches
from the vendor-reported UTM), ``utm_*``, flags, ``operator``, ``call_center``,
``trained``, ``deal_id``, ``deal_status``, ``revenue`` (price of a linked won deal).
``expected_quality`` holds, per day and stream, the rows landed, staged and quarantined (by
reason) that ``marts.data_quality`` must show after one run over the whole window; a hostile
world's ``hostile.cases`` lists every hostile record with its expected outcome (hostile.py).
``daily``/``totals`` hold per-day sums (money in currency, 2 decimals; won revenue
by close date, linked won revenue by call date); ``operators`` per-operator sums.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING

from .hostile import expected_quality
from .journeys import WON, Call, Visit

if TYPE_CHECKING:
    from .world import World

SETTINGS = {"target_min_talk_seconds": 30, "unique_window_days": 30, "sales_cycle_days": 30,
            "attribution_lookback_days": 30}
WINDOW = timedelta(days=30)


def _money(micros: int) -> float:
    return round(micros / 1_000_000, 2)


def last_non_direct(touches: list[Visit]) -> Visit | None:
    for v in reversed(touches):
        if not v.is_direct_touch:
            return v
    return touches[-1] if touches else None


def build_ground_truth(world: World) -> dict:
    days = world.window_days()
    calls: list[Call] = [c for d in days for c in world.calls(d)]
    by_client: dict[str, list[Visit]] = defaultdict(list)
    wanted = {c.client_id for c in calls if c.client_id}
    for d in days:
        for v in world.visits(d):
            if v.client_id in wanted:
                by_client[v.client_id].append(v)

    # flags, in call order
    calls.sort(key=lambda c: (c.start, c.call_id))
    last_call: dict[str, object] = {}
    last_target: dict[str, object] = {}
    flags: dict[int, tuple[bool, bool, bool]] = {}
    for c in calls:
        target = c.is_target
        if c.caller is None:
            flags[c.call_id] = (target, True, target)
            continue
        prev = last_call.get(c.caller)
        unique = prev is None or prev < c.start - WINDOW or prev == c.start  # noqa: PLR1714
        prev_t = last_target.get(c.caller)
        unique_target = target and (prev_t is None or prev_t < c.start - WINDOW or prev_t == c.start)
        flags[c.call_id] = (target, unique, unique_target)
        last_call[c.caller] = c.start
        if target:
            last_target[c.caller] = c.start

    # deal links
    unique_targets: dict[str, list[Call]] = defaultdict(list)
    for c in calls:
        if c.caller and flags[c.call_id][2]:
            unique_targets[c.caller].append(c)
    leads = sorted(world.leads(), key=lambda lead: (lead.created, lead.lead_id))
    deal_of_call: dict[int, object] = {}
    linked_leads: dict[int, int] = {}
    for lead in leads:
        phones = {e for contact in lead.contacts for _, e in contact.phones}
        best = None
        for phone in phones:
            for c in unique_targets.get(phone, ()):
                if lead.created - WINDOW <= c.start < lead.created and (best is None or (c.start, c.call_id) > (best.start, best.call_id)):
                    best = c
        if best is not None and best.call_id not in deal_of_call:
            deal_of_call[best.call_id] = lead
            linked_leads[lead.lead_id] = best.call_id

    catalog = world.catalog
    ids = {str(c.campaign_id) for c in catalog.campaigns}
    names = {c.name.strip().lower(): str(c.campaign_id) for c in catalog.campaigns}

    def resolve(direct_id: int, utm_campaign: str) -> str | None:
        if direct_id:
            return str(direct_id)
        if utm_campaign in ids:
            return utm_campaign
        if utm_campaign.strip().lower() in names:
            return names[utm_campaign.strip().lower()]
        override = catalog.utm_overrides.get(utm_campaign)
        return str(override) if override else None

    out_calls: dict[str, dict] = {}
    operators: dict[tuple[str, str], dict] = {}
    daily = {d: defaultdict(float) for d in days}
    for c in calls:
        target, unique, unique_target = flags[c.call_id]
        touches = [v for v in by_client.get(c.client_id, ()) if c.start - WINDOW <= v.start <= c.start]
        touches.sort(key=lambda v: (v.start, v.visit_id))
        lnd = last_non_direct(touches)
        causing = c.visits[-1] if c.visits else None
        lead = deal_of_call.get(c.call_id)
        status = None
        revenue = 0
        if lead is not None:
            status = world.lead_state(lead)[1]
            revenue = lead.price if status == WON else 0
        if lnd is not None:
            utm = (lnd.utm_source, lnd.utm_medium, lnd.utm_campaign, lnd.utm_content, lnd.utm_term)
            direct_id = lnd.direct_campaign_id
        else:  # no touch: the call's own vendor-reported attribution
            from .world import vendor_touch

            vt = vendor_touch(c)
            utm = (vt.utm_source, vt.utm_medium, vt.utm_campaign, vt.utm_content, vt.utm_term) if vt else ("",) * 5
            direct_id = vt.direct_campaign_id if vt else 0
        out_calls[str(c.call_id)] = {
            "date": c.start.date().isoformat(),
            "kind": c.kind,
            "causing_visit_id": str(causing.visit_id) if causing else None,
            "visit_id": str(lnd.visit_id) if lnd else None,
            "touch_count": len(touches),
            "touch_visit_ids": [str(v.visit_id) for v in touches],
            "direct_campaign_id": str(lnd.direct_campaign_id) if lnd and lnd.direct_campaign_id else None,
            "campaign_id": resolve(direct_id, utm[2]),
            "utm_source": utm[0] or None, "utm_medium": utm[1] or None, "utm_campaign": utm[2] or None,
            "utm_content": utm[3] or None, "utm_term": utm[4] or None,
            "answered": c.answered, "talk_seconds": c.talk_seconds,
            "is_target": target, "is_unique": unique, "is_unique_target": unique_target,
            "operator": c.operator.name if c.operator else None,
            "call_center": c.center,
            "trained": bool(c.operator and c.operator.trained),
            "deal_id": str(lead.lead_id) if lead else None,
            "deal_status": status,
            "revenue": revenue,
        }
        day = daily[c.start.date()]
        day["calls"] += 1
        day["answered_calls"] += c.answered
        day["target_calls"] += target
        day["unique_calls"] += unique
        day["unique_target_calls"] += unique_target
        day["linked_won_revenue"] += revenue
        if c.operator is not None:
            op = operators.setdefault((c.center, c.operator.name), {
                "call_center": c.center, "operator": c.operator.name, "trained": c.operator.trained,
                "answered_calls": 0, "talk_seconds": 0, "target_calls": 0, "deals_won": 0, "revenue": 0})
            op["answered_calls"] += 1
            op["talk_seconds"] += c.talk_seconds
            op["target_calls"] += target
            op["deals_won"] += revenue > 0
            op["revenue"] += revenue

    counts: dict[str, dict[str, int]] = {}
    for d in days:
        stats = world.direct_stats(d)
        stats_vat = world.direct_stats(d, include_vat=True)
        day = daily[d]
        day["visits"] = len(world.visits(d))
        day["direct_impressions"] = sum(r["Impressions"] for r in stats)
        day["direct_clicks"] = sum(r["Clicks"] for r in stats)
        day["direct_cost"] = _money(sum(r["Cost"] for r in stats))
        day["direct_cost_with_vat"] = _money(sum(r["Cost"] for r in stats_vat))
        counts[d.isoformat()] = {
            "calltouch/calls": len(world.calls(d)),
            "yandex_direct/campaign_stats": len(stats),
            "yandex_metrika/visits": day["visits"],
            "amocrm/leads": 0,
            "amocrm/contacts": 0,
        }
    leads_by_day: dict[str, list] = defaultdict(list)
    for lead in world.leads():
        updated, status, closed = world.lead_state(lead)
        leads_by_day[updated.date().isoformat()].append(lead)
        if lead.created.date() in daily:
            daily[lead.created.date()]["leads_created"] += 1
        if status == WON and closed.date() in daily:
            daily[closed.date()]["deals_won"] += 1
            daily[closed.date()]["won_revenue"] += lead.price
    for day_key, day_leads in leads_by_day.items():
        contacts = {c.contact_id: c for lead in day_leads for c in lead.contacts}
        counts[day_key]["amocrm/leads"] = len(day_leads)
        counts[day_key]["amocrm/contacts"] = sum(max(1, len(c.phones)) for c in contacts.values())
    hostile_section = None
    if world.hostile:
        from .hostile import all_cases, hostile_counts

        for d in days:
            for stream, n in hostile_counts(world, d).items():
                counts[d.isoformat()][stream] += n
        hostile_section = {"timezone": world.timezone,
                           "cases": [c.summary() for d in days for c in all_cases(world, d)]}

    totals_keys = ("calls", "answered_calls", "target_calls", "unique_calls", "unique_target_calls", "visits",
                   "direct_impressions", "direct_clicks", "direct_cost", "direct_cost_with_vat", "leads_created",
                   "deals_won", "won_revenue", "linked_won_revenue")
    per_day = {d.isoformat(): {k: _num(daily[d].get(k, 0)) for k in totals_keys} for d in days}
    totals = {k: _num(sum(daily[d].get(k, 0) for d in days)) for k in totals_keys}
    totals["deals_linked"] = len(linked_leads)
    return {
        "seed": world.seed, "scale": world.scale,
        "start_date": world.start_date.isoformat(), "end_date": world.end_date.isoformat(),
        "timezone": world.timezone, "now_local": world.now.isoformat(),
        "settings": SETTINGS,
        "counts": counts,
        "calls": out_calls,
        "daily": per_day,
        "totals": totals,
        "operators": sorted(operators.values(), key=lambda o: (o["call_center"], o["operator"])),
        "deal_links": {str(k): str(v) for k, v in linked_leads.items()},
        "expected_quality": expected_quality(world, counts),
        **({"hostile": hostile_section} if hostile_section else {}),
    }


def _num(x: float) -> float | int:
    return round(x, 2) if isinstance(x, float) and x != int(x) else int(x)
