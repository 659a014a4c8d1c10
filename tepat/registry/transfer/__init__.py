"""Registry import and export at district scale (see README.md in this folder).

Services: `importer.registry_import_start`, `importer.registry_import_run` (also as the background
task `tepat.registry.tasks.registry_import_task`), `exporter.registry_export`. Reads for pages:
`selectors.access_import_job`, `selectors.import_jobs_of`, `report.render_report`.
"""
