"""Queuing a task by its name, so that the module that queues it need not import the
module that defines it (which imports the services that queue it).

The tasks are the apps' ``tasks`` modules, found by Celery's autodiscovery; with no broker
configured they run inline, as when queued through the task object itself.
"""

from __future__ import annotations


def enqueue(name: str, *args, **options):
    """Queue the task registered as ``name`` with ``args``; ``options`` go to ``apply_async``."""
    from celery import current_app

    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    task = current_app.tasks[name]
    return task.apply_async(args, **options) if options else task.delay(*args)
