"""One paginator and sort helper for long lists: page numbers and sortable columns.

    listing = paginate_sorted(request, queryset, sorts={"age": "stage_entered_at", "ref": "reference"},
                              default="age")
    # template: {% include "web/_pagination.html" with page=listing.page %}
    #           {% include "web/_sort.html" with listing=listing key="ref" label=_("Reference") %}

`?sort=ref` ascends, `?sort=-ref` descends; an unknown key falls back to the default (never an error),
and the primary key breaks ties so pages do not overlap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


@dataclass(frozen=True, slots=True)
class Listing:
    page: Page
    sort: str  # the key in use, "-key" when descending
    page_numbers: list[Any]  # numbers, with Paginator.ELLIPSIS between distant ones

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def next_sort(self, key: str) -> str:
        """The sort a column header links to: ascending first, then the other way round."""
        return f"-{key}" if self.sort == key else key


def paginate_sorted(request: Any, queryset: QuerySet, *, sorts: dict[str, str], default: str,
                    per_page: int = 25) -> Listing:
    wanted = request.GET.get("sort", default)
    key = wanted.removeprefix("-")
    if key not in sorts:
        wanted, key = default, default.removeprefix("-")
    field = sorts[key]
    order = f"-{field}" if wanted.startswith("-") else field
    tie = "-pk" if wanted.startswith("-") else "pk"
    paginator = Paginator(queryset.order_by(order, tie), per_page)
    page = paginator.get_page(request.GET.get("page"))
    numbers = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return Listing(page, wanted, numbers)
