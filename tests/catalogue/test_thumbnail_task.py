"""Thumbnails are made by the task worker (`manage.py db_worker`) after the upload commits, never in
the request that saved the image, and at a bounded cost."""

import io
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from oscar.core.loading import get_model
from sorl.thumbnail import default

from catalogue import images
from tests import pictures
from tests.catalogue.test_image_uploads import pin, upload_in_dashboard  # noqa: F401
from tests.tasks import queued_tasks, run_queued_tasks

ProductImage = get_model("catalogue", "ProductImage")

TASK = "catalogue.images.make_thumbnails_task"


def thumbnail_files(source_name, sizes=images.PRODUCT_SIZES) -> list[str]:
    return [
        images.thumbnail_name(source_name, size, width, fmt)
        for size in (images.SIZES[name] for name in sizes)
        for fmt in size.formats
        for width in size.widths
    ]


@pytest.mark.django_db
def test_an_upload_queues_its_thumbnails_and_the_worker_makes_them(
    staff_client,
    pin,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with (
        mock.patch.object(default.engine, "write", wraps=default.engine.write) as write,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = upload_in_dashboard(staff_client, pin, pictures.png(size=(900, 700)))

    assert response.status_code == 302
    assert write.call_count == 0  # the request made none
    name = ProductImage.objects.get().original.name
    # (Oscar's view saves a new image twice: the second run finds every file made and skips it.)
    assert set(map(str, queued_tasks())) == {str((TASK, [name, list(images.PRODUCT_SIZES)]))}
    assert not any(default_storage.exists(f) for f in thumbnail_files(name))

    assert run_queued_tasks() >= 1

    assert all(default_storage.exists(f) for f in thumbnail_files(name))
    assert queued_tasks() == []


@pytest.mark.django_db
def test_a_rolled_back_upload_queues_nothing(pin):  # noqa: F811
    from tests.factories import product_image

    product_image(pin)  # saved, never committed (the test's transaction is rolled back)
    assert queued_tasks() == []


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_command_runs_the_queued_thumbnails(staff_client):
    from tests.factories import merch, product_image

    # Committed: the task is queued. (A name no other test uses: sorl's key-value store, which
    # outlives a test's rows, may remember thumbnails of a "pin.png" from another MEDIA_ROOT.)
    image = product_image(merch("Worker Pin"), name="worker-pin.png")
    assert [task for task, _ in queued_tasks()] == [TASK]

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert all(default_storage.exists(f) for f in thumbnail_files(image.original.name))
    assert queued_tasks() == []


@pytest.mark.django_db
def test_the_task_skips_an_image_deleted_before_the_worker_ran():
    assert images.make_thumbnails_task.call("images/products/gone.png", ["card"]) == 0


@pytest.mark.django_db
def test_the_task_does_not_decode_an_original_over_the_pixel_limit(no_pixels_decoded):
    """An original stored before the upload policy (or put in storage by hand) is left alone."""
    bomb = pictures.huge_png()
    name = default_storage.save("images/products/bomb.png", ContentFile(bomb.read()))

    made = images.make_thumbnails_task.call(name, list(images.PRODUCT_SIZES))

    assert made == 0
    assert not any(default_storage.exists(f) for f in thumbnail_files(name))


@pytest.mark.django_db
def test_the_demo_seed_makes_its_thumbnails_itself_and_queues_nothing(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())

    for image in ProductImage.objects.all():
        assert all(default_storage.exists(f) for f in thumbnail_files(image.original.name))
    assert queued_tasks() == []


def test_serve_demo_runs_a_task_worker_beside_the_server(settings):
    from shop.management.commands import serve_demo

    settings.STRIPE_MODE = "live"
    worker = mock.Mock()
    with (
        mock.patch.object(serve_demo, "call_command") as call,
        mock.patch.object(serve_demo.subprocess, "Popen", return_value=worker) as popen,
    ):
        call_command("serve_demo", stdout=io.StringIO())

    command = popen.call_args.args[0]
    assert command[-3:] == ["db_worker", "--no-reload", "--no-startup-delay"]
    assert Path(popen.call_args.kwargs["cwd"]) == Path(settings.BASE_DIR)
    assert [c.args[0] for c in call.call_args_list] == ["migrate", "seed_demo", "runserver"]
    worker.terminate.assert_called_once()  # stopped with the server


def test_pages_link_thumbnails_without_asking_whether_the_worker_has_run(client, demo_shop):
    """Names are worked out, never looked up: a page never waits for (or makes) a thumbnail."""
    with mock.patch.object(default_storage, "exists") as exists:
        assert client.get(reverse("catalogue:index")).status_code == 200
    assert exists.call_count == 0
