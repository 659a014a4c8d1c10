from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("tepat.ops.urls")),  # /healthz
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("akun/", include("tepat.accounts.urls")),
    path("registri/", include("tepat.registry.urls")),
    path("audit/", include("tepat.trail.urls")),
    path("pemutakhiran/", include("tepat.updates.urls")),
    path("lapangan/", include("tepat.updates.field_urls")),  # the offline field app (issue 14)
    path("kualitas/", include("tepat.quality.urls")),
    path("program/", include("tepat.programs.urls")),
    path("penargetan/", include("tepat.targeting.urls")),
    path("bencana/", include("tepat.relief.urls")),
    path("penyaluran/undangan/", include("tepat.distribution.invitations.urls")),
    path("penyaluran/", include("tepat.distribution.urls")),
    path("laporan/", include("tepat.reports.urls")),
    path("pengaduan/", include("tepat.grievances.urls")),
    path("renja/", include("tepat.planning.urls")),
    path("", include("tepat.public.urls")),
    path("", include("tepat.web.urls")),
]
