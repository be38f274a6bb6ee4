"""The pure parts of the JSON-2 client: named arguments, error answers, versions, and how errors classify."""

from __future__ import annotations

import json

import httpx
import pytest

from odoo_sync.airflow.provider import get_provider_info
from odoo_sync.errors import Json2Error, classify
from odoo_sync.odoo.client import OdooEndpoint, XmlRpcClient
from odoo_sync.odoo.json2 import APIS, AutoClient, Json2Client, error_from, make_client, named_args, version_from
from odoo_test_server import RECORDED_DIR

# Every JSON-2 request and answer of a real Odoo 19.0 (copied from the lab's recording)
FACTS = json.loads((RECORDED_DIR / "json2_19.json").read_text())
JSON = httpx.Headers({"Content-Type": "application/json; charset=utf-8"})


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "body"),
    [
        ("search_read", [[("a", "=", 1)]], {"fields": ["name"]}, {"domain": [["a", "=", 1]], "fields": ["name"]}),
        (
            "search_read",
            [[], ["name"], 0, 10, "id"],
            {},
            {"domain": [], "fields": ["name"], "offset": 0, "limit": 10, "order": "id"},
        ),
        ("search", [[]], {"limit": 1}, {"domain": [], "limit": 1}),
        ("search_count", [[("x", "=", None)]], {}, {"domain": [["x", "=", False]]}),
        ("read", [[2], ["name"]], {}, {"ids": [2], "fields": ["name"]}),
        ("read", [7], {"fields": ["name"]}, {"ids": [7], "fields": ["name"]}),
        ("fields_get", [], {"attributes": ["type"]}, {"attributes": ["type"]}),
        ("create", [[{"name": "a", "code": None}]], {}, {"vals_list": [{"name": "a", "code": False}]}),
        ("create", [{"name": "a"}], {}, {"vals_list": [{"name": "a"}]}),
        ("write", [[1, 2], {"name": "b"}], {}, {"ids": [1, 2], "vals": {"name": "b"}}),
        ("unlink", [[3]], {}, {"ids": [3]}),
        ("check_access_rights", ["read"], {"raise_exception": False}, {"operation": "read", "raise_exception": False}),
        (
            "read_group",
            [[], ["amount:sum"], ["account_id"]],
            {"lazy": False},
            {"domain": [], "fields": ["amount:sum"], "groupby": ["account_id"], "lazy": False},
        ),
        (
            "formatted_read_group",
            [[], ["account_id"], ["amount:sum"]],
            {},
            {"domain": [], "groupby": ["account_id"], "aggregates": ["amount:sum"]},
        ),
        ("get_param", ["analytic.project_plan"], {}, {"key": "analytic.project_plan"}),
        ("context_get", [], {"context": {"lang": "en_US"}}, {"context": {"lang": "en_US"}}),
    ],
)
def test_positional_arguments_travel_by_name(method: str, args: list, kwargs: dict, body: dict) -> None:
    assert named_args(method, args, kwargs) == body


def test_arguments_that_cannot_be_named_are_refused_before_sending() -> None:
    with pytest.raises(TypeError, match="named arguments"):
        named_args("action_archive", [[1]], {})
    with pytest.raises(TypeError, match="multiple values for fields"):
        named_args("search_read", [[], ["name"]], {"fields": ["id"]})


def test_the_recorded_bodies_are_what_the_translation_sends() -> None:
    cases = {
        "ok_search_read": ("search_read", [[]], {"fields": ["name"]}),
        "ok_read_with_ids": ("read", [[2], ["name", "parent_id"]], {}),
        "ok_create": ("create", [[{"name": "JSON-2 probe", "plan_id": 2}]], {}),
        "missing_record_write": ("write", [[999999], {"name": "x"}], {}),
        "ok_unlink": ("unlink", [[4]], {}),
        "ok_search_count_with_context": ("search_count", [[]], {"context": {"lang": "en_US"}}),
        "ok_fields_get": ("fields_get", [["name", "parent_id"]], {"attributes": ["type", "relation"]}),
    }
    for case, (method, args, kwargs) in cases.items():
        assert named_args(method, args, kwargs) == FACTS[case]["request"]["body"], case


@pytest.mark.parametrize(
    ("case", "kind", "error_class"),
    [
        ("wrong_key", "auth", "auth"),
        ("no_authorization_header", "auth", "auth"),
        ("private_method", "permanent", "access"),
        ("missing_record_write", "permanent", "validation"),
        ("missing_record_unlink", "permanent", "validation"),
        ("unknown_model", "permanent", "http"),
        ("no_method_in_path", "permanent", "http"),
        ("validation_error_create_account_without_plan_id", "permanent", "validation"),
        ("ids_on_model_method", "permanent", "validation"),
        ("bad_kwarg", "permanent", "server"),
        ("bad_json_body", "permanent", "http"),
    ],
)
def test_recorded_error_answers_classify_like_their_xmlrpc_counterparts(case: str, kind: str, error_class: str) -> None:
    fact = FACTS[case]
    err = error_from(fact["status"], json.dumps(fact["body"]).encode(), JSON)
    assert (err.status, err.name, err.message) == (fact["status"], fact["body"]["name"], fact["body"]["message"])
    failure = classify(err)
    assert (failure.kind, failure.error_class) == (kind, error_class)
    assert "Traceback" not in failure.text and "debug" not in vars(err)


def test_the_debug_traceback_is_never_kept() -> None:
    body = {
        "name": "builtins.TypeError",
        "message": "boom",
        "arguments": ["boom"],
        "context": {},
        "debug": "Traceback (most recent call last):\n  File secret",
    }
    err = error_from(500, json.dumps(body).encode(), JSON)
    assert "Traceback" not in str(err) and "Traceback" not in repr(vars(err))


@pytest.mark.parametrize(
    ("status", "headers", "kind", "error_class", "retry_after"),
    [
        (429, {"Retry-After": "2"}, "transient", "rate_limited", 2.0),
        (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, "transient", "rate_limited", None),
        (502, {}, "transient", "http", None),
        (503, {}, "transient", "http", None),
        (500, {}, "transient", "http", None),  # no Odoo body: whatever sits in front of it
        (409, {}, "transient", "server", None),
        (501, {}, "permanent", "http", None),  # a proxy that does not do GET: no use trying again
        (303, {}, "permanent", "http", None),
    ],
)
def test_proxy_answers_classify_by_status(status: int, headers: dict, kind: str, error_class: str, retry_after) -> None:
    err = error_from(
        status, b"<html><body>nginx</body></html>", httpx.Headers({**headers, "Content-Type": "text/html"}), "Bad"
    )
    failure = classify(err)
    assert (failure.kind, failure.error_class, failure.retry_after) == (kind, error_class, retry_after)
    assert err.name is None and "nginx" not in str(err)


def test_a_serialization_failure_is_worth_another_try() -> None:
    body = {
        "name": "psycopg2.errors.SerializationFailure",
        "message": "could not serialize access due to concurrent update",
    }
    assert classify(error_from(500, json.dumps(body).encode(), JSON)).kind == "transient"
    body = {"name": "odoo.exceptions.ConcurrencyError", "message": "retry"}
    assert classify(error_from(500, json.dumps(body).encode(), JSON)).kind == "transient"


def test_json_version_in_common_versions_shape() -> None:
    version = version_from({"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"})
    assert version == {
        "server_version": "19.0",
        "server_version_info": [19, 0, 0, "final", 0, ""],
        "server_serie": "19.0",
    }
    assert version_from({"status": "pass"}) is None and version_from("<html>") is None


def test_make_client_follows_the_connections_api() -> None:
    endpoint = OdooEndpoint("http://127.0.0.1:1", "db", "admin", "key")
    assert isinstance(make_client(endpoint), AutoClient)
    assert isinstance(make_client(endpoint, "xmlrpc"), XmlRpcClient)
    assert isinstance(make_client(endpoint, "JSON2"), Json2Client)
    with pytest.raises(ValueError, match="unknown api 'soap'"):
        make_client(endpoint, "soap")


def test_the_secret_stays_out_of_reprs() -> None:
    client = Json2Client(OdooEndpoint("http://127.0.0.1:1", "db", "admin", "s3cr3t-key"))
    assert "s3cr3t-key" not in repr(client.endpoint)
    err = Json2Error(401, "Invalid apikey", name="werkzeug.exceptions.Unauthorized")
    assert str(err) == "HTTP 401 werkzeug.exceptions.Unauthorized: Invalid apikey"


def test_the_connection_form_offers_the_api_choice() -> None:
    fields = get_provider_info()["connection-types"][0]["conn-fields"]
    schema = fields["api"]["schema"]
    assert (schema["default"], set(schema["enum"])) == ("auto", set(APIS))
