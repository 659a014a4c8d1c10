"""/lapangan/: the offline field app (tepat.updates.views.field_app)."""

from django.urls import path

from tepat.updates.views import field_app

app_name = "field"
urlpatterns = [
    path("", field_app.field_app, name="app"),
    path("sw.js", field_app.field_worker, name="worker"),
    path("manifest.webmanifest", field_app.field_manifest, name="manifest"),
]
