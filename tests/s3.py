"""A real S3 API for the suite: moto's standalone server (ThreadedMotoServer, `moto[server]`) on a
free loopback port, started once per test process on first use. `s3_store` points the session's
app at a fresh bucket of it for one test; `storage_backend` runs a test against both backends,
and with the object store asserts that nothing was written under the disk store (STORAGE_DIR).

The whole run on the object store: `--storage=s3`, or CCHC_STORAGE_URL in the run's environment
(README "Tests"). The run then starts one moto server (in the xdist controller, like
tests/services.py's servers; CCHC_STORAGE_ENDPOINT names another S3 server instead, e.g. MinIO),
makes the bucket and exports the settings, so every app, worker and web process the tests make
stores there. A test's explicit disk variant (storage_backend, backend_mode or backend = "disk")
is left to the disk run; every test fails if a file appears under the disk store meanwhile.
`make test` runs the `storage` group (STORAGE_TESTS) again this way."""

import contextlib
import logging
import os
import socket
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "cchc-test", "AWS_SECRET_ACCESS_KEY": "cchc-test-secret",
               "AWS_DEFAULT_REGION": "us-east-1"}


SUITE_URL = "s3://cchc-suite/files"  # --storage=s3 without CCHC_STORAGE_URL
# The `storage` group, run again on S3 by `make test`: whole modules about files, and the tests of
# other modules that upload, render, export, sign or download a file through the store (chosen so
# the group stays near 2 minutes on 2 cores; README "Tests"). Tests using the fixtures below run on
# both stores in every run and are not repeated. pytest lists any other test that used the file
# store at the end of a run: add it here if it proves something about storing.
STORAGE_TESTS = {
    "tests/test_object_storage.py", "tests/test_jobs_and_storage.py", "tests/test_malware_scan.py",
    "tests/test_list_exports.py", "tests/test_par_pack.py", "tests/inspections/test_photos.py",
    "tests/backups/test_ops_and_schedule.py", "tests/reports/test_safety.py", "tests/reports/test_unit_period.py",
    "tests/remediation/test_action_races.py",
    "tests/api/test_sync.py::test_a_photo_goes_after_its_finding_and_a_replayed_batch_stores_each_once",
    "tests/api/test_sync.py::test_a_photo_whose_sha256_does_not_match_its_bytes_is_refused",
    "tests/api/test_sync.py::test_a_body_over_the_size_limit_is_refused_in_vietnamese_with_nothing_stored",
    "tests/api/test_sync.py::test_an_identical_resubmission_is_acknowledged_as_stored_once",
    "tests/plans/test_sheets.py::test_a_large_export_is_rendered_by_the_worker_and_only_its_owner_downloads_it",
    "tests/plans/test_sheets.py::test_confirm_only_takes_the_users_own_file_for_this_plan",
    "tests/plans/test_sheets.py::test_preview_shows_every_row_and_saves_no_task_then_confirm_adds_them_all",
    "tests/plans/test_views.py::test_a_refused_report_keeps_no_file",
    "tests/plans/test_views.py::test_an_image_over_60_megapixel_is_refused_as_a_progress_file",
    "tests/plans/test_views.py::test_plan_to_accepted_task_and_the_plan_page_shows_the_new_rate",
    "tests/remediation/test_views.py::test_the_whole_flow_through_the_pages_closes_the_inspection",
    "tests/remediation/test_views.py::test_the_unit_sees_the_finding_and_its_photos_even_for_another_units_inspection",
    "tests/remediation/test_views.py::test_an_image_over_60_megapixel_is_refused_as_evidence_file_or_photo",
    "tests/remediation/test_views.py::test_a_file_that_lies_about_its_type_is_refused_and_nothing_is_kept",
    "tests/reports/test_documents.py::test_the_minutes_show_team_results_findings_and_their_photos",
    "tests/reports/test_documents.py::test_an_image_a_document_cannot_draw_shows_a_placeholder_not_a_failure",
    "tests/reports/test_documents.py::test_the_register_lists_issued_documents_and_takes_the_signed_scan",
    "tests/reports/test_documents.py::test_issuing_numbers_dates_signs_and_drops_the_draft_mark",
    "tests/reports/test_requests.py::test_the_status_page_polls_and_offers_the_download",
    "tests/reports/test_requests.py::test_changed_data_makes_a_new_version_and_the_old_one_stays",
    "tests/reports/test_minutes_paper.py::test_printed_minutes_are_final_and_numbered_and_their_signed_scan_is_kept",
    "tests/reports/test_minutes_paper.py::test_outside_the_inspection_both_actions_are_404_and_only_the_team_lead_may",
    "tests/reports/test_minutes_signed.py::test_both_signatures_make_the_minutes_final_with_both_drawn_in_the_pdf",
    "tests/signing/test_agency.py::test_a_pkcs12_file_signs_too",
    "tests/signing/test_personal.py::test_a_valid_personal_signature_is_filed_and_the_agency_signs_on_top",
    "tests/signing/test_verification.py::test_a_copy_is_checked_identical_signed_or_not_and_nothing_is_stored",
    "tests/admin/test_imports.py::test_confirm_of_a_file_that_is_not_ones_own_preview_is_not_found",
    "tests/admin/test_imports.py::test_confirm_rechecks_the_stored_file_and_imports_nothing_if_a_row_became_invalid",
    "tests/admin/test_imports.py::test_unit_import_previews_then_imports_every_row_on_confirm",
    "tests/api/test_sync_later.py::test_a_batch_queued_for_three_days_syncs_after_a_new_sign_in_with_nothing_lost",
    "tests/dashboard/test_ops.py::test_a_failed_report_is_retried_from_the_page_and_ends_ready",
    "tests/inspections/test_views.py::test_the_whole_inspection_from_the_desktop",
    "tests/test_par_pages.py::test_publishing_issues_the_numbered_decision_with_its_ranking_appendix",
    "tests/test_par_pages.py::test_the_index_import_previews_each_row_and_imports_only_a_clean_file",
    "tests/test_security_config.py::test_a_download_is_named_from_the_stored_name_encoded_never_from_the_request",
}
STORAGE_FIXTURES = {"s3_store", "storage_backend", "s3_server", "backend_mode"}
DISK_VARIANTS = {"storage_backend", "backend_mode", "backend"}  # parameters whose "disk" value means the disk store


def suite_on_s3(config) -> bool:
    choice = config.getoption("--storage")
    return choice == "s3" or (choice is None and bool(os.environ.get("CCHC_STORAGE_URL")))


def pytest_addoption(parser):
    parser.addoption("--storage", choices=("disk", "s3"), default=None,
                     help="the file store of every app the tests make: disk (default) or s3 (a moto server the run "
                          "starts, or CCHC_STORAGE_ENDPOINT's; CCHC_STORAGE_URL in the environment means s3)")
    parser.addoption("--list-unmarked-storage", action="store_true",
                     help="name the tests that used the file store but are not in the storage group")


_MOTO = contextlib.ExitStack()


def pytest_configure(config):
    config.addinivalue_line("markers", "storage: stores, renders, exports or downloads files (run again on S3)")
    if not suite_on_s3(config):
        for key in ("CCHC_STORAGE_URL", "CCHC_STORAGE_ENDPOINT"):  # a disk run is a disk run
            os.environ.pop(key, None)
        return
    if hasattr(config, "workerinput"):  # an xdist worker: the controller's bucket, a prefix of its own
        suite_url = os.environ["CCHC_STORAGE_URL"].rstrip("/")
        os.environ["CCHC_STORAGE_URL"] = f"{suite_url}/{config.workerinput['workerid']}"
        return
    os.environ.setdefault("CCHC_STORAGE_URL", SUITE_URL)
    for key, value in CREDENTIALS.items():
        os.environ.setdefault(key, value)
    if not os.environ.get("CCHC_STORAGE_ENDPOINT"):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per S3 request in the run's output
        os.environ["CCHC_STORAGE_ENDPOINT"] = _MOTO.enter_context(moto_server())
    _make_bucket(os.environ["CCHC_STORAGE_ENDPOINT"], os.environ["CCHC_STORAGE_URL"])


def pytest_unconfigure(config):
    _MOTO.close()


def _make_bucket(endpoint: str, url: str) -> None:
    """The suite's bucket, made if missing; a store that does not answer fails the run (never a skip)."""
    from inspection.files.storage_s3 import parse_url

    name, _ = parse_url(url)
    client = s3_client(endpoint)  # the credentials of the environment (the moto ones by default)
    try:
        client.head_bucket(Bucket=name)
    except ClientError:
        client.create_bucket(Bucket=name)
    except Exception as exc:
        raise pytest.UsageError(f"the suite's object store at {endpoint} does not answer: {exc}") from exc


def pytest_collection_modifyitems(config, items):
    """Mark the storage group; on S3, leave the tests' explicit disk variants to the disk run."""
    on_s3, kept, dropped = suite_on_s3(config), [], []
    for item in items:
        path = item.nodeid.split("::")[0]
        named = path in STORAGE_TESTS or f"{path}::{getattr(item, 'originalname', item.name)}" in STORAGE_TESTS
        if named and not _on_both_stores(item):
            item.add_marker(pytest.mark.storage)
        params = getattr(getattr(item, "callspec", None), "params", {})
        disk = any(params.get(name) == "disk" for name in DISK_VARIANTS)
        (dropped if on_s3 and disk else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _on_both_stores(item) -> bool:
    """The test runs on an object store of its own in every run (s3_store & co.)."""
    return bool(STORAGE_FIXTURES & set(getattr(item, "fixturenames", ())))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def moto_server(address: str = "127.0.0.1"):
    """A moto S3 server on `address` (a free port), its endpoint URL while the block runs; the
    credentials (any) set in the environment so that the processes the tests start inherit them."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address=address, port=port, verbose=False)
    server.start()
    saved = {k: os.environ.get(k) for k in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    try:
        yield f"http://{address}:{port}"
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


@pytest.fixture(scope="session")
def s3_server(request):
    """The endpoint URL of a moto S3 server on 127.0.0.1 for the whole test process (on S3, the
    run's own server)."""
    if suite_on_s3(request.config):
        yield os.environ["CCHC_STORAGE_ENDPOINT"]
        return
    with moto_server() as endpoint:
        yield endpoint


def s3_client(endpoint: str):
    env = {key: os.environ.get(key) or value for key, value in CREDENTIALS.items()}
    return boto3.client("s3", endpoint_url=endpoint, region_name=env["AWS_DEFAULT_REGION"],
                        aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])


def disk_files(app) -> set[Path]:
    root = Path(app.config["STORAGE_DIR"])
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


class Bucket:
    """The test's bucket: its name, prefix and the objects in it."""

    def __init__(self, endpoint: str, name: str, prefix: str):
        self.endpoint, self.name, self.prefix = endpoint, name, prefix
        self.client = s3_client(endpoint)
        self.client.create_bucket(Bucket=name)

    @property
    def url(self) -> str:
        return f"s3://{self.name}/{self.prefix}"

    def keys(self) -> set[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {o["Key"].removeprefix(self.prefix + "/") for page in pages for o in page.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=f"{self.prefix}/{key}")["Body"].read()

    def write(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=f"{self.prefix}/{key}", Body=data)

    def env(self) -> dict:
        """The settings a worker process needs to use this bucket."""
        return {"CCHC_STORAGE_URL": self.url, "CCHC_STORAGE_ENDPOINT": self.endpoint,
                **{key: os.environ.get(key) or value for key, value in CREDENTIALS.items()}}


@pytest.fixture
def s3_store(app, s3_server):
    """The app stores in a fresh bucket for this test; nothing may land under STORAGE_DIR."""
    bucket = Bucket(s3_server, f"cchc-{uuid.uuid4().hex[:12]}", "cchc")
    saved = {k: app.config.get(k) for k in ("STORAGE_URL", "STORAGE_ENDPOINT", "STORAGE_REGION")}
    before = disk_files(app)
    app.config.update(STORAGE_URL=bucket.url, STORAGE_ENDPOINT=s3_server, STORAGE_REGION="us-east-1")
    try:
        yield bucket
        assert disk_files(app) == before, "a file was written under the disk store while the object store was set"
    finally:
        app.config.update(saved)


@contextlib.contextmanager
def unwritable_store(app, tmp_path: Path):
    """While the block runs, the app's store refuses every write: on disk a plain file where its
    directory should be, on S3 an endpoint nothing answers on (a closed loopback port)."""
    setting = "STORAGE_ENDPOINT" if app.config.get("STORAGE_URL") else "STORAGE_DIR"
    saved = app.config[setting]
    if setting == "STORAGE_DIR":
        blocked = tmp_path / f"o-dia-khong-ghi-duoc-{uuid.uuid4().hex[:8]}"
        blocked.write_text("a file where the storage directory should be")
        app.config[setting] = str(blocked)
    else:
        app.config[setting] = f"http://127.0.0.1:{free_port()}"
    try:
        yield
    finally:
        app.config[setting] = saved


@pytest.fixture
def disk_store(app, tmp_path):
    """The app stores on a disk store of its own for this test (outside instance/files), whatever
    the run's store: for what only the disk store does (the copy into a bucket)."""
    saved = {k: app.config[k] for k in ("STORAGE_URL", "STORAGE_DIR")}
    app.config.update(STORAGE_URL="", STORAGE_DIR=str(tmp_path / "kho-dia"))
    try:
        yield Path(app.config["STORAGE_DIR"])
    finally:
        app.config.update(saved)


@pytest.fixture(params=["disk", "s3"])
def storage_backend(request, app):
    """Run the test against the disk store and against the S3 server: None, or the Bucket."""
    if request.param == "disk":
        yield None
    else:
        yield request.getfixturevalue("s3_store")


def stored_files(app) -> set[str]:
    """What the app's file store holds: the disk store's files, or the suite bucket's object keys."""
    url = app.config.get("STORAGE_URL")
    if not url:
        root = Path(app.config["STORAGE_DIR"])
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()
    from inspection.files.storage_s3 import parse_url

    name, prefix = parse_url(url)
    pages = s3_client(app.config["STORAGE_ENDPOINT"]).get_paginator("list_objects_v2").paginate(
        Bucket=name, Prefix=prefix)
    return {o["Key"].removeprefix(prefix) for page in pages for o in page.get("Contents", [])}


@pytest.fixture(autouse=True)
def _nothing_on_disk_when_on_s3(request):
    """On S3, a test of the session's app fails if a file appeared under its disk store."""
    if not suite_on_s3(request.config) or "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    assert app.config["STORAGE_URL"], "the run is on S3 but the app's STORAGE_URL is empty"
    before = disk_files(app)
    yield
    assert disk_files(app) == before, f"files written under {app.config['STORAGE_DIR']} on S3"


@pytest.fixture(scope="session", autouse=True)
def _no_instance_files_when_on_s3(request, tmp_path_factory):
    """On S3, at the end of the run: no file under any instance's files/ the tests made (apps of
    their own, worker and web processes included)."""
    yield
    if suite_on_s3(request.config):
        root = tmp_path_factory.getbasetemp()
        found = [p for files in root.glob("**/instance*/files") for p in files.rglob("*") if p.is_file()]
        assert not found, f"written under a disk store on S3: {sorted(map(str, found))[:10]}"


# --- which tests use the file store: every test that did without the `storage` mark is listed ------
_USES = [0]


def _counting(real):
    def backend():
        _USES[0] += 1
        return real()
    return backend


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    from inspection.files import storage

    if not getattr(storage.backend, "counted", False):
        storage.backend = _counting(storage.backend)
        storage.backend.counted = True
    _USES[0] = 0
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "teardown" and _USES[0] and not (item.get_closest_marker("storage") or _on_both_stores(item)):
        report.user_properties.append(("unmarked_storage", True))


def pytest_terminal_summary(terminalreporter, config):
    unmarked = sorted({r.nodeid for reports in terminalreporter.stats.values() for r in reports
                       if ("unmarked_storage", True) in getattr(r, "user_properties", ())})
    if not unmarked:
        return
    terminalreporter.write_line(f"{len(unmarked)} tests used the file store outside the storage group "
                                f"(tests/s3.py STORAGE_TESTS; --list-unmarked-storage names them)")
    if config.getoption("--list-unmarked-storage"):
        for nodeid in unmarked:
            terminalreporter.write_line(f"  {nodeid}")
