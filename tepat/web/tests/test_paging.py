from django.test import RequestFactory

from tepat.core.paging import paginate_sorted
from tepat.regions.models import Region


def _listing(query, **kwargs):
    request = RequestFactory().get("/", query)
    return paginate_sorted(request, Region.objects.filter(code__startswith="36.04."), **kwargs)


def test_sorts_both_ways_and_falls_back_on_unknown_keys(regions):
    sorts = {"code": "code", "name": "name"}
    up = _listing({"sort": "name"}, sorts=sorts, default="code", per_page=5)
    down = _listing({"sort": "-name"}, sorts=sorts, default="code", per_page=5)
    names = [r.name for r in up.page.object_list]
    assert names == sorted(names)
    assert [r.name for r in down.page.object_list] == sorted(Region.objects.filter(
        code__startswith="36.04.").values_list("name", flat=True), reverse=True)[:5]
    assert up.next_sort("name") == "-name" and down.next_sort("name") == "name" and up.next_sort("code") == "code"
    bogus = _listing({"sort": "password"}, sorts=sorts, default="code", per_page=5)
    assert bogus.sort == "code"


def test_page_numbers_are_elided(regions):
    listing = _listing({"page": "5"}, sorts={"code": "code"}, default="code", per_page=2)
    assert listing.page.number == 5
    assert 1 in listing.page_numbers and 5 in listing.page_numbers
    assert listing.page.paginator.ELLIPSIS in listing.page_numbers
