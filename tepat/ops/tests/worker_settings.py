"""Settings of the real `tepat worker` processes that the fault tests start (`faults.Worker`): the test
settings on the test's own database (TEPAT_TEST_DATABASE_URL, given by the test), django-tasks' database
backend, files on disk, a 1 s heartbeat, and batches small enough that a job on a few thousand rows has
several committed steps to be killed between."""

import os

from config.django.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MEDIA_ROOT = os.environ.get("TEPAT_MEDIA_ROOT", "/tmp/tepat-fault-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TEPAT_WORKER_HEARTBEAT_SECONDS = 1
TEPAT_EXPORT_BATCH_FAMILIES = 20
TEPAT_CIVIL_BATCH = 100
# A pause between the determination's transactions, so that the test sees it half-way (chunks of 50).
TEPAT_DETERMINATION_PAUSE_SECONDS = float(os.environ.get("TEPAT_FAULT_DETERMINATION_PAUSE", "0.3"))

# The worker's connections carry a name, so that the connection-cut test ends only them (never the test
# process's own or a live server's connections).
WORKER_APPLICATION_NAME = "tepat-fault-worker"
if "postgresql" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    DATABASES["default"] = {  # noqa: F405
        **DATABASES["default"],  # noqa: F405
        "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), "application_name": WORKER_APPLICATION_NAME},  # noqa: F405
    }
