from tepat.accounts.access import actor_can, actor_region_codes
from tepat.accounts.roles import Capability, DistributionCapability


def actor(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "actor_regions": actor_region_codes(user),
        "can": {cap.name.lower(): actor_can(user, cap) for cap in Capability}
        | {f"distribution_{cap.name.lower()}": actor_can(user, cap) for cap in DistributionCapability},
    }
