from tests.matrix import Entry, t_kwargs

MATRIX = {
    "ops:rollover": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_leader", "trust_administrator"}, denied=403
    ),
}
