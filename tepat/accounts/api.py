"""/me: who is signed in, in which role, with which capabilities and regions."""

from django.http import HttpRequest
from ninja import Router, Schema

from tepat.accounts.roles import Role, capabilities_of

router = Router(tags=["accounts"])


class AssignedRegion(Schema):
    code: str
    name: str


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    capabilities: list[str]
    regions: list[AssignedRegion]

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.get_full_name()

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(dict(Role.choices).get(obj.role, obj.role))

    @staticmethod
    def resolve_capabilities(obj) -> list[str]:
        return sorted(str(capability) for capability in capabilities_of(obj.role))

    @staticmethod
    def resolve_regions(obj) -> list:
        return [assignment.region for assignment in obj.region_assignments.select_related("region")]


@router.get("", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest):
    return request.auth
