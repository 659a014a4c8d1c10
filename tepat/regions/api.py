"""Region master API: the official Kemendagri codes. Public data, so any signed-in user may read it."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tepat.core.exceptions import ObjectNotFound
from tepat.regions.selectors import region_children, region_get, region_path

router = Router(tags=["regions"])


class RegionPathItem(Schema):
    code: str
    name: str


class RegionOut(Schema):
    code: str
    name: str
    level: int
    kind: str
    parent_code: str | None
    postal_code: str

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent_id


class RegionDetailOut(RegionOut):
    path: list[RegionPathItem] = Field(..., description="Province first, ending with this region")

    @staticmethod
    def resolve_path(obj) -> list:
        return region_path(obj)


class ChildrenQuery(Schema):
    parent: str | None = Field(None, description="Parent code; without it, the provinces")


@router.get("", response=list[RegionOut], summary="Children of a region (no parent: provinces)")
def region_list(request: HttpRequest, filters: Query[ChildrenQuery]):
    return region_children(code=filters.parent or None)


@router.get("/{code}", response={200: RegionDetailOut, 404: dict}, summary="One region with its path")
def region_detail(request: HttpRequest, code: str):
    region = region_get(code=code)
    if region is None:
        raise ObjectNotFound()
    return region
