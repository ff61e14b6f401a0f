"""Admin uploads import in the task worker: a large export never holds up a request."""

from django_tasks import task


@task()
def run_import(run_id: int) -> None:
    from .models import ImportRun
    from .services import import_run_execute

    run = ImportRun.objects.filter(pk=run_id).first()
    if run is not None and run.state == ImportRun.State.QUEUED:
        import_run_execute(run=run)
