"""Static entities of the world: they depend on the seed (and scale) only, never on a date.

The business is a made-up kitchen-furniture maker selling in Moscow and
St Petersburg ("example-kuhni.ru"): Yandex Direct campaigns, two call centers,
operators, tracking numbers, regular customers and spam numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .phones import random_mobile, random_number
from .seeding import stable_rng, stable_unit

SITE_HOST = "example-kuhni.ru"
BILLBOARD_NUMBER = "74950000001"  # static tracking number printed on a billboard: no session, no UTM
STALE_UTM_CAMPAIGN = "brand-msk-old"  # old tag still live on a partner site; a manual override maps it


@dataclass(frozen=True, slots=True)
class Campaign:
    """A Yandex Direct campaign. ``utm_by_id``: its ads are tagged ``utm_campaign={campaign_id}``."""

    campaign_id: int
    name: str
    slug: str
    weight: float  # share of Direct ad visits
    cpc: float  # roubles per click, before VAT
    ctr: float
    calls: bool = True  # False: display/video campaigns whose visitors never call
    utm_by_id: bool = False
    weekdays_only: bool = False
    active_share: float = 1.0  # share of days the budget lets it run
    ad_groups: tuple[int, ...] = ()

    def active_on(self, seed: int, day: date) -> bool:
        if self.weekdays_only and day.weekday() >= 5:
            return False
        return self.active_share >= 1.0 or stable_unit(seed, "campaign-active", self.campaign_id, day.isoformat()) < self.active_share

    @property
    def utm_campaign(self) -> str:
        return str(self.campaign_id) if self.utm_by_id else self.slug


@dataclass(frozen=True, slots=True)
class Operator:
    user_id: int  # also the amoCRM responsible_user_id of the deals they open
    name: str  # as Calltouch shows it in `manager`
    center: str
    trained: bool


@dataclass(frozen=True, slots=True)
class CallCenter:
    name: str
    redirect_number: str  # the line Calltouch routes calls to (`redirectNumber`)
    share: float
    operators: tuple[Operator, ...]


@dataclass(frozen=True, slots=True)
class Catalog:
    seed: int
    scale: float
    campaigns: tuple[Campaign, ...]
    centers: tuple[CallCenter, ...]
    tracking_numbers: tuple[str, ...]  # the dynamic (DNI) pool
    regular_customers: tuple[str, ...]
    spam_numbers: tuple[str, ...]
    utm_overrides: dict[str, int] = field(default_factory=dict)

    def campaign(self, campaign_id: int) -> Campaign:
        return next(c for c in self.campaigns if c.campaign_id == campaign_id)


# (name, slug, weight, cpc, ctr, calls, utm_by_id, weekdays_only, active_share)
_CAMPAIGNS = (
    ("Бренд | Москва", "brand_msk", 14, 18.0, 0.09, True, False, False, 1.0),
    ("Бренд | Санкт-Петербург", "brand_spb", 8, 16.0, 0.08, True, True, False, 1.0),
    ("Поиск — Кухни на заказ", "search_kitchens", 16, 74.0, 0.05, True, False, False, 1.0),
    ("Поиск — Угловые кухни", "search_corner", 8, 61.0, 0.045, True, True, False, 1.0),
    ("Поиск — Шкафы-купе", "search_wardrobes", 9, 48.0, 0.04, True, False, False, 1.0),
    ("Поиск — Кухни эконом", "search_economy", 7, 39.0, 0.035, True, True, False, 0.85),
    ("Поиск — Кухни для офиса (B2B)", "search_b2b", 4, 95.0, 0.03, True, False, True, 1.0),
    ("Конкуренты — «Мебель-Сити» и др.", "competitors", 5, 83.0, 0.02, True, True, False, 0.7),
    ("РСЯ — Ретаргетинг", "rsya_retargeting", 9, 22.0, 0.006, True, False, False, 1.0),
    ("Мастер кампаний — Замер бесплатно 🎁", "master_zamer", 6, 35.0, 0.012, True, True, False, 1.0),
    ("РСЯ — Баннеры охват", "rsya_banners", 10, 9.0, 0.003, False, False, False, 1.0),
    ("Видео — Имиджевый ролик", "video_image", 4, 6.0, 0.002, False, True, False, 0.8),
)

_FIRST_NAMES_F = ("Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Екатерина",
                  "Дарья", "Алина", "Виктория", "Ксения", "Полина", "Марина")
_FIRST_NAMES_M = ("Алексей", "Дмитрий", "Сергей", "Андрей", "Максим", "Иван", "Павел", "Никита", "Артём", "Егор",
                  "Михаил", "Роман", "Кирилл", "Олег", "Денис", "Илья")
_SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
             "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
             "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
             "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв")


def person_name(rng) -> str:
    """'Фамилия Имя' with the surname agreeing in gender."""
    surname = rng.choice(_SURNAMES)
    if rng.random() < 0.6:
        return f"{surname}а {rng.choice(_FIRST_NAMES_F)}"
    return f"{surname} {rng.choice(_FIRST_NAMES_M)}"


def _operators(seed: int) -> tuple[CallCenter, ...]:
    rng = stable_rng(seed, "operators")
    used: set[str] = set()

    def unique_name() -> str:
        while True:
            name = person_name(rng)
            if name not in used:
                used.add(name)
                return name

    msk_trained = set(rng.sample(range(50), 10))
    msk = tuple(Operator(9_100_001 + i, unique_name(), "Москва", i in msk_trained) for i in range(50))
    spb = tuple(Operator(9_200_001 + i, unique_name(), "Санкт-Петербург", False) for i in range(30))
    return (
        CallCenter("Москва", "74951112233", 0.6, msk),
        CallCenter("Санкт-Петербург", "78123334455", 0.4, spb),
    )


def build_catalog(seed: int, scale: float) -> Catalog:
    # Campaign ids are the advertiser's account setup, the same in every world (whatever the
    # seed), so the shipped `campaign_overrides` seed of the dbt project matches any sandbox.
    rng = stable_rng("account", "campaigns")
    campaigns = []
    ids: set[int] = set()
    for name, slug, weight, cpc, ctr, calls, by_id, weekdays, share in _CAMPAIGNS:
        cid = rng.randrange(70_000_000, 79_999_999)
        while cid in ids:
            cid = rng.randrange(70_000_000, 79_999_999)
        ids.add(cid)
        groups = tuple(rng.randrange(5_000_000_000, 5_999_999_999) for _ in range(rng.randint(2, 4)))
        campaigns.append(Campaign(cid, name, slug, weight, cpc, ctr, calls, by_id, weekdays, share, groups))
    numbers = stable_rng(seed, "numbers")
    regulars = tuple(random_number(numbers) for _ in range(max(20, round(400 * scale))))
    spam = tuple(random_mobile(numbers) for _ in range(3))
    pool = tuple(f"7495{numbers.randrange(1_000_000, 10**7):07d}" for _ in range(max(10, round(30 * scale))))
    brand = campaigns[0]
    return Catalog(seed, scale, tuple(campaigns), _operators(seed), pool, regulars, spam,
                   {STALE_UTM_CAMPAIGN: brand.campaign_id})
